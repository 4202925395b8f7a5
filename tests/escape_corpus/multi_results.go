package main

func split(p *int, q *int) (*int, *int) { return q, p }

func divmod(a, b int) (int, int) { return a / b, a % b }

func named(p *int) (r *int, err error) {
	r = p
	return
}

func main() {
	a, b := 1, 2
	x, y := split(&a, &b)
	_, _ = x, y
	q, r := divmod(7, 2)
	_, _ = q, r
	c := 3
	v, _ := named(&c)
	_ = v
}
