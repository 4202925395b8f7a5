package main

var sink func() int

func byRef() {
	y := 0
	sink = func() int { y++; return y }
}

func byRefPtr() *int {
	z := 1
	f := func() *int { return &z }
	return f()
}

func main() {
	byRef()
	byRefPtr()
}
