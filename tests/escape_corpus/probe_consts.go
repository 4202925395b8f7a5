package main

import "fmt"

const N = 5

type E struct{ X int }
type W struct {
	E
	p *int
}

func (e *E) Inc() { e.X++ }
func (e E) Get() int { return e.X }

func main() {
	fmt.Println(N)
	x := 3
	fmt.Println(x)
	fmt.Println('a', 1.5, true, int64(5), "a very long string that goes on and on and on and on and on and on and on and on")
	var f float64 = 2
	fmt.Println(f, x+1, -x, len("abc"))
	n := 10
	s := make([]int, n)
	_ = s
	var w W
	w.Inc()
	_ = w.Get()
	pw := &w
	pw.Inc()
	fmt.Println(w.X, pw.p, *pw)
	arr := [4]int{}
	sl := arr[1:3]
	fmt.Println(sl)
	m := map[string]*int{}
	m["a"] = &x
	fmt.Println(any(x), interface{}(f), fmt.Sprint(x))
	var e error = fmt.Errorf("x %d", x)
	fmt.Println(e)
	bs := []byte("hi")
	bs[0] = 'x'
	fmt.Println(string(bs), []rune("hi"), string(rune(65)))
}
