package main

import "fmt"

type Stringer interface{ String() string }

type Name struct{ first, last string }

func (n Name) String() string { return n.first + " " + n.last }

func show(s Stringer) string { return s.String() }

func main() {
	n := Name{"a", "b"}
	_ = show(n)
	var i interface{} = 5
	_ = i
	var e any = n
	fmt.Println(e)
	x := 7
	var j any = x
	_ = j
}
