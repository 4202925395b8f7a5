// Command allocreplay replays an allocation trace on the real Go runtime and prints, per phase, the
// deltas of the heap statistics: the reference figures for `gort alloc-trace TRACE.json --json`.
//
//	GOGC=off GOMAXPROCS=1 go run tests/go/allocreplay/main.go TRACE.json
//
// Trace: {"name": "...", "phases": [{"size": 24, "count": 100000, "pointers": false}, ...]}.
// Every object stays alive. Each object is exactly one mallocgc of exactly `size` bytes:
//   - pointers=false: make([]byte, size), a noscan allocation (tiny allocator below 16 B);
//   - pointers=true:  make([]*byte, size/8), a scan allocation (size must be a multiple of 8).
//
// The sizes come from the trace at run time and every slice is stored in a heap holder, so the
// compiler can neither pick a size class at compile time nor put the backing array on the stack
// (`go build -gcflags=-m` reports "make([]byte, size) escapes to heap").
//
// Nothing else allocates inside the measured region: the trace is parsed, the holders, the
// results and the metrics sample are allocated, and runtime/metrics is initialised (its first
// Read builds a map on the heap) before the first baseline. Output is printed at the end.
//
// What the runtime's own allocations do to the figures. Before main runs, the runtime and the
// packages' init functions have already allocated a few hundred objects, so several span classes
// have a partly used span (in the P's mcache or in mcentral's partial set). GOGC=off means no GC and
// no sweeping, and GOMAXPROCS=1 means one mcache, so nothing else allocates while a phase runs
// (sysmon and the scavenger do not touch the heap's object spans). Consequences:
//   - Mallocs, HeapObjects, HeapAlloc and TinyAllocs count exactly the trace's objects.
//   - HeapInuse differs from an emulator that starts from an empty heap: the first objects of a
//     class fill the free slots of the runtime's partly used span before a new span is taken. So,
//     counted from the baseline, Go has used as many spans of the class as an empty heap, or one
//     fewer; a single phase's delta can differ by one span (pages*8192 bytes) either way.
//     Large objects take fresh spans: their HeapInuse delta is exactly the page-rounded size.
//   - ReadMemStats flushes the mcache (mcache.releaseAll): the current span of every class goes back
//     to mcentral and the tiny block is dropped, so each phase starts its tiny blocks afresh.
//   - HeapSys grows in whole heap-growth steps (mheap.grow rounds up to 4 MiB chunks), so its delta
//     depends on how much free space the heap had when the measurement began, and is not even
//     reproducible from run to run: with the default randomizedheapbase64 experiment the first grow
//     marks a random number of leading pages allocated, so the phase that crosses into the next
//     4 MiB chunk varies. Built with GOEXPERIMENT=norandomizedheapbase64 every figure repeats exactly.
//
// Measured with go1.27.3 (a survey of one object per span class, and many random traces): at the
// first baseline the process had partly used spans in 47 of the 133 small span classes a trace can
// reach (nearly all of classes 1-12, scan and noscan, and scattered larger ones; this replayer's
// own preallocations included), never more than one per class, and the bound above always held
// (tests/test_vs_go.py checks it on every trace).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
)

type phase struct {
	Size     *int64 `json:"size"`
	Count    *int64 `json:"count"`
	Pointers bool   `json:"pointers"`
}

type trace struct {
	Name   string  `json:"name"`
	Phases []phase `json:"phases"`
}

// delta is one phase's change in the statistics; field names are MemStats's.
type delta struct {
	HeapInuse   int64
	HeapSys     int64
	HeapAlloc   int64
	HeapObjects int64
	Mallocs     int64
	TinyAllocs  int64
}

type snapshot struct {
	mem  runtime.MemStats
	tiny uint64
}

const tinyAllocsMetric = "/gc/heap/tiny/allocs:objects"

// Package-level so that taking their addresses cannot make the compiler heap-allocate them mid-run.
var (
	before, after snapshot
	tinySample    = []metrics.Sample{{Name: tinyAllocsMetric}}
)

// read takes a snapshot the way ReadMemStats sees the heap: ReadMemStats first flushes the mcache,
// so the tiny-allocation count read right after it is up to date.
func read(s *snapshot) {
	runtime.ReadMemStats(&s.mem)
	metrics.Read(tinySample)
	s.tiny = tinySample[0].Value.Uint64()
}

func diff(a, b uint64) int64 { return int64(b) - int64(a) }

func deltaOf(a, b *snapshot) delta {
	return delta{
		HeapInuse:   diff(a.mem.HeapInuse, b.mem.HeapInuse),
		HeapSys:     diff(a.mem.HeapSys, b.mem.HeapSys),
		HeapAlloc:   diff(a.mem.HeapAlloc, b.mem.HeapAlloc),
		HeapObjects: diff(a.mem.HeapObjects, b.mem.HeapObjects),
		Mallocs:     diff(a.mem.Mallocs, b.mem.Mallocs),
		TinyAllocs:  diff(a.tiny, b.tiny),
	}
}

func load(path string) (*trace, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t trace
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, p := range t.Phases {
		switch {
		case p.Size == nil || p.Count == nil:
			return nil, fmt.Errorf("phase %d: size and count are required", i)
		case *p.Size < 0 || *p.Count < 0:
			return nil, fmt.Errorf("phase %d: size and count must not be negative", i)
		case p.Pointers && *p.Size%8 != 0:
			return nil, fmt.Errorf("phase %d: a pointerful size must be a multiple of 8, not %d", i, *p.Size)
		}
	}
	return &t, nil
}

// holders keep every object alive; one per phase, of the kind the phase allocates.
type holder struct {
	noscan [][]byte
	scan   [][]*byte
}

func allocate(p phase, h *holder) {
	size := int(*p.Size)
	if p.Pointers {
		for i := range h.scan {
			h.scan[i] = make([]*byte, size/8) // makeslice -> mallocgc(size, *byte, true): scan
		}
		return
	}
	for i := range h.noscan {
		h.noscan[i] = make([]byte, size) // makeslice -> mallocgc(size, uint8, true): noscan
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: allocreplay TRACE.json")
		os.Exit(2)
	}
	t, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "allocreplay:", err)
		os.Exit(1)
	}
	holders := make([]holder, len(t.Phases))
	for i, p := range t.Phases {
		if p.Pointers {
			holders[i].scan = make([][]*byte, *p.Count)
		} else {
			holders[i].noscan = make([][]byte, *p.Count)
		}
	}
	results := make([]delta, len(t.Phases))
	read(&before) // warm up: runtime/metrics builds its table on the first Read

	// Measured region: from here to the last read, only the trace's objects are allocated.
	read(&before)
	for i, p := range t.Phases {
		allocate(p, &holders[i])
		read(&after)
		results[i] = deltaOf(&before, &after)
		before = after
	}

	out, err := json.Marshal(struct {
		Name   string  `json:"name"`
		Phases []delta `json:"phases"`
	}{t.Name, results})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	runtime.KeepAlive(holders)
}
