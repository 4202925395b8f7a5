package main

import "fmt"

func describe(i interface{}) string {
	switch v := i.(type) {
	case int:
		return fmt.Sprint(v)
	case string:
		return v
	default:
		return "?"
	}
}

func main() {
	_ = describe(1)
	_ = describe("x")
}
