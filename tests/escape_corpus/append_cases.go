package main

type Item struct{ p *int }

func collect(items []*Item, it *Item) []*Item { return append(items, it) }

func main() {
	var xs []int
	xs = append(xs, 1, 2)
	_ = xs
	var items []*Item
	items = collect(items, &Item{})
	_ = items
	ys := []int{1}
	zs := append(ys, ys...)
	_ = zs
}
