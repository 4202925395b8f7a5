package main

func main() {
	x := 10
	f := func() int { return x }
	_ = f()
	y := 20
	g := func() int { return x + y }
	_ = g()
}
