package main

import "fmt"

type P struct{ a, b int }

func main() {
	i := 1
	s := "str"
	f := 2.5
	p := P{1, 2}
	pp := &P{3, 4}
	fmt.Println(i, s, f, p, pp)
	fmt.Print(i + 1)
	msg := fmt.Sprintf("%d-%s", i, s)
	_ = msg
	err := fmt.Errorf("bad %d", i)
	_ = err
	fmt.Println()
}
