package main

import "fmt"

const K = 3
const Name = "gort"

type Celsius float64

func main() {
	fmt.Println(1+2, K*2, Name+"!", len(Name))
	var c Celsius = 36.6
	fmt.Println(c)
	var x int64 = 7
	fmt.Println(x)
	n := 16
	buf := make([]byte, n)
	_ = buf
	fmt.Println('z', 1<<10, 3.0/2)
}
