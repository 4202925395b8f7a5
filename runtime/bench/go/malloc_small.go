// Command malloc_small times mallocgc's small-object fast path: 32-B noscan objects (252 per one-page
// span, so one refill per 252 mallocs), each stored into a ring of 4096 slots so it stays alive for
// 4096 allocations. The loop of `gort bench malloc`'s fast-path row.
//
// Figures: ns_per_op / ops_per_s with the GC off (debug.SetGCPercent(-1)) inside each timed round:
// allocation alone. Every round starts from a collected, swept heap, so it reuses pages that are
// already faulted in (fresh pages would add a page fault per 4 KiB: initialising a 16..512-B span
// writes its inline mark bits at the page's end) and each slot is zeroed as in a steady-state
// program. gogc100_*: the same loop under GOGC=100, GC and sweeping included. Best of 15 rounds
// (the machine may be busy).
//
//	go run runtime/bench/go/malloc_small.go
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"time"
)

const (
	rounds      = 15
	opsPerRound = 500_000
)

var (
	ring       [4096][]byte
	objectSize = 32 // a variable, so the compiler cannot specialise the size
)

func allocLoop(n int) {
	for i := 0; i < n; i++ {
		ring[i&(len(ring)-1)] = make([]byte, objectSize)
	}
}

// bestNsPerOp runs loop(n) `rounds` times and returns the fastest round's ns per op. Each round
// starts from a collected and fully swept heap, so it reuses pages that earlier rounds touched.
func bestNsPerOp(n int, loop func(int)) float64 {
	best := math.Inf(1)
	for r := 0; r < rounds; r++ {
		runtime.GC()
		start := time.Now()
		loop(n)
		best = math.Min(best, float64(time.Since(start).Nanoseconds())/float64(n))
	}
	return best
}

func main() {
	debug.SetGCPercent(-1)
	gcOff := bestNsPerOp(opsPerRound, allocLoop)
	debug.SetGCPercent(100)
	gcOn := bestNsPerOp(opsPerRound, allocLoop)
	out, _ := json.Marshal(map[string]any{
		"benchmark": "malloc_small", "loop": "make([]byte, 32) into a 4096-slot ring",
		"ns_per_op": gcOff, "ops_per_s": 1e9 / gcOff,
		"gogc100_ns_per_op": gcOn, "gogc100_ops_per_s": 1e9 / gcOn,
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	})
	fmt.Println(string(out))
}
