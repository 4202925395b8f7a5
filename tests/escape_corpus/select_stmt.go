package main

func main() {
	a := make(chan *int, 1)
	b := make(chan int, 1)
	x := 1
	select {
	case a <- &x:
	case v := <-b:
		_ = v
	default:
	}
}
