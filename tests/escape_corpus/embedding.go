package main

type Base struct{ id int }

func (b *Base) ID() int { return b.id }

type Derived struct {
	Base
	name string
}

func main() {
	d := Derived{Base{1}, "d"}
	_ = d.ID()
	pd := &Derived{}
	_ = pd.ID()
	_ = d.id
}
