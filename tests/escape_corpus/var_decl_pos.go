package main

var sink any

func a() *int {
	var i = 5
	return &i
}

func b() *int {
	var j int
	j = 3
	return &j
}

func c() {
	var s = []int{1, 2}
	sink = s
}

func d() {
	var k, l = 1, 2
	sink = &k
	sink = &l
}

func main() {
	a()
	b()
	c()
	d()
	e()
	f()
}

func e() (*int, *int) {
	var p, q = new(int), new(int)
	return p, q
}

func f() any {
	var (
		m  = map[string]int{}
		ok bool
	)
	var v, ok2 = m["a"]
	_, _ = ok, ok2
	return v
}
