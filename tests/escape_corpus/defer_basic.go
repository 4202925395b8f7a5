package main

import "fmt"

func cleanup(p *int) { *p = 0 }

func main() {
	x := 1
	defer cleanup(&x)
	defer fmt.Println("done")
	defer func() { x++ }()
}
