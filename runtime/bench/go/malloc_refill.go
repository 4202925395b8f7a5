// Command malloc_refill times mcache.refill: 8192-B noscan objects, whose size class holds one object
// in a one-page span, so every malloc finds its cached span full and refills: uncacheSpan the full
// span, mcentral.cacheSpan, which (nothing being free) grows by mheap.alloc of one page, served
// from the P's page cache. Each object goes into a ring of 64 slots.
//
// Figures: ns_per_op / ops_per_s with the GC off (spans from scavenged pages, never touched: no zeroing),
// gogc100_* with GOGC=100 (swept spans are reused and must be zeroed: 8 KiB memclr per op).
// Best of 15 rounds (the machine may be busy).
//
//	go run runtime/bench/go/malloc_refill.go
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
	opsPerRound = 20_000
)

var (
	ring       [64][]byte
	objectSize = 8192 // a variable, so the compiler cannot specialise the size
)

func allocLoop(n int) {
	for i := 0; i < n; i++ {
		ring[i&(len(ring)-1)] = make([]byte, objectSize)
	}
}

// bestNsPerOp runs loop(n) `rounds` times and returns the fastest round's ns per op. Before each
// round debug.FreeOSMemory collects the garbage and returns the free pages to the OS: the round's
// spans then come from scavenged pages, which are known to be zero (no memclr) and which the loop
// never touches, and the address space stays bounded.
func bestNsPerOp(n int, loop func(int)) float64 {
	best := math.Inf(1)
	for r := 0; r < rounds; r++ {
		debug.FreeOSMemory()
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
		"benchmark": "malloc_refill", "loop": "make([]byte, 8192) into a 64-slot ring (1 object per span)",
		"ns_per_op": gcOff, "ops_per_s": 1e9 / gcOff,
		"gogc100_ns_per_op": gcOn, "gogc100_ops_per_s": 1e9 / gcOn,
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	})
	fmt.Println(string(out))
}
