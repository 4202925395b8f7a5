package main

import "fmt"

func main() {
	str := "hello"
	fmt.Printf("%v\n", str)
}
