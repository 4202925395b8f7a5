package main

func newInt() *int {
	res := 42
	return &res
}

func main() {
	p := newInt()
	_ = *p
}
