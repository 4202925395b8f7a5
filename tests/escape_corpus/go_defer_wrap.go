package main

import "sync"

func work(p *int, q *int) { *q = *p }

func goCall(wg *sync.WaitGroup) {
	p := new(int)
	q := new(int)
	wg.Add(1)
	go func(a, b *int) {
		defer wg.Done()
		*b = *a
	}(p, q)
}

func deferCall() {
	p := new(int)
	q := new(int)
	defer work(p, q)
}

func loopDefer() {
	for i := 0; i < 3; i++ {
		defer func(n int) { _ = n }(i)
	}
}

func main() {
	var wg sync.WaitGroup
	goCall(&wg)
	wg.Wait()
	deferCall()
	loopDefer()
}
