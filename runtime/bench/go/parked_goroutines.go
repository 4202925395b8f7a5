// Command parked_goroutines measures what a parked goroutine costs the host: it starts 100,000
// goroutines that each block receiving from one channel (gopark with a sudog on the channel's recvq)
// and compares the process before and after.
//
// Figures, per goroutine: bytes_per_goroutine = growth of the resident set (VmRSS, /proc/self/statm);
// sys_bytes_per_goroutine = growth of MemStats.Sys (memory the runtime got from the OS);
// stack_bytes_per_goroutine = growth of StackInuse (starting stacks, carved from stack spans);
// heap_bytes_per_goroutine = growth of HeapAlloc (g structs, closures, sudogs). ns_per_op /
// ops_per_s: the time to start one goroutine and see it parked, GC cycles during the spawning
// included (the g structs grow the heap, and each cycle scans every goroutine's stack).
//
//	go run runtime/bench/go/parked_goroutines.go
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"time"
)

const goroutines = 100_000

var waiting = []metrics.Sample{{Name: "/sched/goroutines/waiting:goroutines"}}

// residentBytes is the process's resident set size, or 0 where /proc is not available.
func residentBytes() int64 {
	var size, resident int64
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return resident * int64(os.Getpagesize())
}

func waitingGoroutines() uint64 {
	metrics.Read(waiting)
	return waiting[0].Value.Uint64()
}

func main() {
	block := make(chan struct{})
	var before, after runtime.MemStats
	waitingGoroutines() // runtime/metrics allocates its tables on the first read
	runtime.GC()
	runtime.ReadMemStats(&before)
	rssBefore := residentBytes()
	baseline := waitingGoroutines()

	start := time.Now()
	for i := 0; i < goroutines; i++ {
		go func() { <-block }()
	}
	for waitingGoroutines() < baseline+goroutines {
		runtime.Gosched()
	}
	elapsed := time.Since(start)

	runtime.GC()
	runtime.ReadMemStats(&after)
	rssAfter := residentBytes()
	close(block)

	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / goroutines }
	ns := float64(elapsed.Nanoseconds()) / goroutines
	out, _ := json.Marshal(map[string]any{
		"benchmark": "parked_goroutines", "goroutines": goroutines,
		"loop":                      "go func() { <-block }() x 100000, until all are waiting",
		"bytes_per_goroutine":       float64(rssAfter-rssBefore) / goroutines,
		"sys_bytes_per_goroutine":   per(before.Sys, after.Sys),
		"stack_bytes_per_goroutine": per(before.StackInuse, after.StackInuse),
		"heap_bytes_per_goroutine":  per(before.HeapAlloc, after.HeapAlloc),
		"ns_per_op":                 ns, "ops_per_s": 1e9 / ns,
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	})
	fmt.Println(string(out))
}
