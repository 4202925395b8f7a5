package main

type S struct{ a, b int }

func alloc() *S { return new(S) }

func main() {
	p := new(int)
	*p = 1
	q := new(S)
	q.a = 2
	_ = alloc()
	var ps []*S
	ps = append(ps, new(S))
	_ = ps
}
