package main

type Counter struct{ n int }

func (c *Counter) Inc()      { c.n++ }
func (c Counter) Get() int   { return c.n }
func (c *Counter) Self() *Counter { return c }

var global *Counter

func (c *Counter) Save() { global = c }

func main() {
	var a Counter
	a.Inc()
	_ = a.Get()
	b := Counter{}
	_ = b.Self()
	c := Counter{}
	c.Save()
}
