package main

import "sync"

type SafeCounter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *SafeCounter) Inc(key string) {
	c.mu.Lock()
	c.m[key]++
	c.mu.Unlock()
}

func main() {
	c := SafeCounter{m: make(map[string]int)}
	c.Inc("a")
}
