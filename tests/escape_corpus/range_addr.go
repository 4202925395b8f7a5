package main

import (
	"fmt"
	"strings"
)

type Person struct {
	Name string
	Age  int
}

func (p Person) String() string { return fmt.Sprintf("%s (%d)", p.Name, p.Age) }

func older(ps []Person, age int) []*Person {
	var out []*Person
	for i := range ps {
		if ps[i].Age > age {
			out = append(out, &ps[i])
		}
	}
	return out
}

func main() {
	ps := []Person{{"a", 30}, {"b", 20}}
	for _, p := range older(ps, 25) {
		fmt.Println(p)
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	fmt.Println(strings.Join(names, ", "))
}
