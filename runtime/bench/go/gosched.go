// Command gosched times goroutine switches: two goroutines on GOMAXPROCS=1 call runtime.Gosched in
// a loop, so each call puts the caller on the global run queue and schedule() runs the other one.
//
// Figures: ns_per_op / ops_per_s per Gosched (one switch each). Best of 15 rounds (the machine may
// be busy).
//
//	go run runtime/bench/go/gosched.go
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

const (
	rounds      = 15
	opsPerRound = 500_000 // Gosched calls, shared by the two goroutines
)

func goschedLoop(n int) {
	var done sync.WaitGroup
	for g := 0; g < 2; g++ {
		done.Add(1)
		go func() {
			defer done.Done()
			for i := 0; i < n/2; i++ {
				runtime.Gosched()
			}
		}()
	}
	done.Wait()
}

// bestNsPerOp runs loop(n) `rounds` times and returns the fastest round's ns per op.
func bestNsPerOp(n int, loop func(int)) float64 {
	best := math.Inf(1)
	for r := 0; r < rounds; r++ {
		start := time.Now()
		loop(n)
		best = math.Min(best, float64(time.Since(start).Nanoseconds())/float64(n))
	}
	return best
}

func main() {
	runtime.GOMAXPROCS(1)
	ns := bestNsPerOp(opsPerRound, goschedLoop)
	out, _ := json.Marshal(map[string]any{
		"benchmark": "gosched", "loop": "2 goroutines calling runtime.Gosched, GOMAXPROCS=1",
		"ns_per_op": ns, "ops_per_s": 1e9 / ns,
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	})
	fmt.Println(string(out))
}
