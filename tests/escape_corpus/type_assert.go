package main

type Animal interface{ Sound() string }
type Dog struct{ name string }

func (d *Dog) Sound() string { return "woof" }

func asDog(a Animal) *Dog {
	if d, ok := a.(*Dog); ok {
		return d
	}
	return nil
}

func main() {
	d := &Dog{"rex"}
	_ = asDog(d)
}
