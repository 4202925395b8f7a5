package main

var sink *int

func keep(p *int)          { sink = p }
func pass(p *int) *int     { return p }
func read(p *int) int      { return *p }
func deref2(pp **int) *int { return *pp }

func main() {
	a, b, c := 1, 2, 3
	keep(&a)
	_ = pass(&b)
	_ = read(&c)
	d := 4
	pd := &d
	_ = deref2(&pd)
}
