package main

var handlers []func()

func register(f func()) { handlers = append(handlers, f) }

func main() {
	msg := "hi"
	register(func() { _ = msg })
	big := [200]int{}
	register(func() { _ = big[0] })
}
