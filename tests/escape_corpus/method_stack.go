package main

import "fmt"

type Stack struct{ items []*int }

func (s *Stack) Push(p *int) { s.items = append(s.items, p) }
func (s *Stack) Pop() *int {
	p := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return p
}

func main() {
	s := &Stack{}
	for i := 0; i < 3; i++ {
		v := i * 2
		s.Push(&v)
	}
	fmt.Println(*s.Pop())
	m := map[string][]int{}
	m["a"] = append(m["a"], 1)
	fmt.Println(len(m))
}
