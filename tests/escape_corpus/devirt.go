package main

type Shape interface{ Area() int }

type Rect struct{ w, h int }

func (r *Rect) Area() int { return r.w * r.h }

type Circle struct{ r int }

func (c Circle) Area() int { return 3 * c.r * c.r }

func total(shapes []Shape) int {
	t := 0
	for _, s := range shapes {
		t += s.Area()
	}
	return t
}

func main() {
	var s Shape = &Rect{2, 3}
	_ = s.Area()
	var c Shape = Circle{2}
	_ = c.Area()
	_ = total([]Shape{&Rect{1, 1}, Circle{1}})
}
