package main

type Shape interface{ Area() int }

type Sq struct{ s int }

func (q *Sq) Area() int { return q.s * q.s }

type P struct {
	x, y int
	next *P
}

func newP(x int) *P { return &P{x: x} }

func area(s Shape) int { return s.Area() }

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func two(a, b *int) (*int, *int) { return b, a }

func deref(pp **int) *int { return *pp }

func fld(p *P) *P { return p.next }

func main() {
	var s Shape = &Sq{2}
	_ = s.Area()
	_ = area(&Sq{3})
	a := [3]int{1, 2, 3}
	sl := a[:]
	_ = sl
	_ = sum(1, 2, 3)
	arr := []*int{}
	_ = arr
	y := 5
	c := func() int { return y }
	_ = c()
	z := 1
	inc := func() { z++ }
	inc()
	ch := make(chan *int, 1)
	ch <- &y
	p := &P{x: 1}
	p.next = &P{}
	_ = newP(2)
	u, v := two(&y, &z)
	_, _ = u, v
	for i := 0; i < 3; i++ {
		defer func() {}()
	}
	var ifc interface{} = 42
	_ = ifc
	k := 7
	var ifc2 any = k
	_ = ifc2
	st := []string{"a"}
	_ = st
	_ = struct{ a int }{1}
	w := &struct{ a *int }{&k}
	_ = w
}
