package main

type Op func(a, b int) int

func compose(f, g func(int) int) func(int) int {
	return func(x int) int { return f(g(x)) }
}

func main() {
	inc := func(x int) int { return x + 1 }
	dbl := func(x int) int { return x * 2 }
	h := compose(inc, dbl)
	_ = h(3)
	var add Op = func(a, b int) int { return a + b }
	_ = add(1, 2)
	total := 0
	each := func(xs []int, f func(int)) {
		for _, x := range xs {
			f(x)
		}
	}
	each([]int{1, 2}, func(x int) { total += x })
}
