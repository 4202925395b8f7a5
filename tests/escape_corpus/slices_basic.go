package main

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func grow(xs []int) []int { return append(xs, 1) }

func main() {
	a := []int{1, 2, 3}
	_ = sum(a)
	b := make([]int, 0, 8)
	b = grow(b)
	_ = b
	c := make([]int, 100000)
	_ = c
	n := 5
	d := make([]byte, n)
	_ = d
}
