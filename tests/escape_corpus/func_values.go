package main

func apply(f func(int) int, v int) int { return f(v) }

func double(x int) int { return x * 2 }

func adder(n int) func(int) int {
	return func(x int) int { return x + n }
}

func main() {
	_ = apply(double, 2)
	_ = apply(func(x int) int { return x + 1 }, 3)
	add5 := adder(5)
	_ = add5(1)
}
