package main

import "sync"

func worker(id int, out *[]int) {
	*out = append(*out, id)
}

func main() {
	var wg sync.WaitGroup
	results := []int{}
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(i, &results)
		}()
	}
	wg.Wait()
	ch := make(chan int)
	go func(c chan int) { c <- 1 }(ch)
	<-ch
}
