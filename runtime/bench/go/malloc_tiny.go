// Command malloc_tiny times the tiny allocator: 4-B noscan objects, four per 16-B tiny block, so three
// mallocs in four are hits in the mcache's current block (tinyAllocs) and the fourth takes a fresh
// block from span class 5. Each object goes into a ring of 4096 slots. The loop of `gort bench
// malloc`'s tiny row.
//
// Figures: ns_per_op / ops_per_s with the GC off inside each timed round (each round starts from a
// collected, swept heap whose pages are already faulted in), gogc100_* under GOGC=100, GC included.
// Best of 15 rounds (the machine may be busy).
//
//	go run runtime/bench/go/malloc_tiny.go
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
	opsPerRound = 1_000_000
)

var (
	ring     [4096][]byte
	tinySize = 4 // a variable, so the compiler cannot specialise the size
)

func allocLoop(n int) {
	for i := 0; i < n; i++ {
		ring[i&(len(ring)-1)] = make([]byte, tinySize)
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
		"benchmark": "malloc_tiny", "loop": "make([]byte, 4) into a 4096-slot ring (4 per tiny block)",
		"ns_per_op": gcOff, "ops_per_s": 1e9 / gcOff,
		"gogc100_ns_per_op": gcOn, "gogc100_ops_per_s": 1e9 / gcOn,
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	})
	fmt.Println(string(out))
}
