package main

func counter() func() int {
	c := 0
	return func() int {
		c++
		return c
	}
}

func main() {
	n := 0
	inc := func() { n++ }
	inc()
	next := counter()
	_ = next()
}
