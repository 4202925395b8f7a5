package main

type Point struct{ X, Y int }
type Box struct {
	Min, Max *Point
}

func mk() *Point { return &Point{1, 2} }

func main() {
	p := Point{1, 2}
	_ = p
	q := &Point{3, 4}
	_ = q.X
	b := Box{Min: &Point{}, Max: &Point{5, 6}}
	_ = b
	ps := []Point{{1, 2}, {3, 4}}
	_ = ps
	pps := []*Point{{1, 2}}
	_ = pps
	_ = mk()
}
