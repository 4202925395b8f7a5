package main

import "fmt"

func main() {
	str := "hello"
	fmt.Printf("%p\n", &str)
}
