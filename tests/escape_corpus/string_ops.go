package main

import "fmt"

func main() {
	a := "x"
	b := "y"
	c := a + b
	fmt.Println(c)
	d := a + b + c
	_ = d
	bs := []byte{'a', 'b'}
	s := string(bs)
	fmt.Println(s)
	r := 'q'
	fmt.Println(string(r))
}
