package main

type T struct{ x int }

func (t *T) M() int { return t.x }
func (t T) V() int  { return t.x }

var fsink func() int

func main() {
	t := T{1}
	f := t.M
	_ = f()
	u := T{2}
	g := u.V
	_ = g()
	w := &T{3}
	fsink = w.M
}
