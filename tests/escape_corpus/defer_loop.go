package main

func work(p *int) { *p++ }

func main() {
	for i := 0; i < 3; i++ {
		v := i
		defer work(&v)
	}
	for i := 0; i < 2; i++ {
		defer func() {}()
	}
}
