package main

var counter int
var ptr *int
var list []string

func set() {
	x := 5
	ptr = &x
}

func add(s string) { list = append(list, s) }

func main() {
	set()
	add("a")
	counter++
	y := 3
	ptr = &y
}
