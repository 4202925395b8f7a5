package main

import "fmt"

type T struct {
	a, b int
	p    *int
}

func (t *T) M() int { return t.a }
func (t T) V() int  { return t.a }

func ret() *int {
	res := 42
	return &res
}

func id(p *int) *int { return p }

func store(p *int) { global = p }

var global *int

func main() {
	str := "hello"
	fmt.Printf("%v", str)
	fmt.Printf("%p", &str)
	x := 3
	fmt.Println(1+2, x, "a"+"b")
	t := T{a: 1}
	t.M()
	f := t.M
	_ = f()
	s := make([]int, 10)
	s2 := make([]int, x)
	_ = s
	_ = s2
	m := map[string]int{"a": 1}
	_ = m
	q := new(int)
	store(q)
	_ = id(&x)
	g := func() int { return x }
	_ = g()
	var i interface{} = t
	_ = i
	bs := []byte(str)
	_ = string(bs)
	_ = str + str
	defer fmt.Println(x)
	go func() { fmt.Println(x) }()
	var big [70000]byte
	_ = big
	b2 := make([]byte, 70000)
	_ = b2
}
