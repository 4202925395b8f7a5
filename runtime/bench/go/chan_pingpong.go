// Command chan_pingpong times unbuffered channel round trips: the main goroutine sends on `ping` and
// receives on `pong`; a partner goroutine receives from `ping` and sends back on `pong`. On
// GOMAXPROCS=1 a round trip is two direct handoffs (send to a parked receiver: goready) and two
// switches (the receiver parks: gopark, schedule).
//
// Figures: ns_per_op / ops_per_s per round trip on GOMAXPROCS=1; gomaxprocs2_* the same on two Ps,
// where the partner runs on the other P and wakeups may go through the OS. Best of 15 rounds (the
// machine may be busy).
//
//	go run runtime/bench/go/chan_pingpong.go
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"time"
)

const (
	rounds      = 15
	opsPerRound = 200_000 // round trips
)

func pingPong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
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
	oneP := bestNsPerOp(opsPerRound, pingPong)
	runtime.GOMAXPROCS(2)
	twoPs := bestNsPerOp(opsPerRound, pingPong)
	out, _ := json.Marshal(map[string]any{
		"benchmark": "chan_pingpong", "loop": "unbuffered channel round trip between 2 goroutines",
		"ns_per_op": oneP, "ops_per_s": 1e9 / oneP,
		"gomaxprocs2_ns_per_op": twoPs, "gomaxprocs2_ops_per_s": 1e9 / twoPs,
		"go": runtime.Version(), "gomaxprocs": 1,
	})
	fmt.Println(string(out))
}
