package main

func producer(ch chan<- *int) {
	v := 1
	ch <- &v
}

func consume(ch <-chan *int) int { return *<-ch }

func main() {
	ch := make(chan *int, 1)
	producer(ch)
	_ = consume(ch)
	done := make(chan struct{})
	close(done)
	n := 3
	ints := make(chan int, 1)
	ints <- n
}
