package main

type Node struct {
	val  int
	next *Node
}

func link(a, b *Node) { a.next = b }

func build() *Node {
	n := &Node{val: 1}
	n.next = &Node{val: 2}
	return n
}

func local() int {
	n := Node{val: 3}
	m := Node{val: 4, next: &n}
	return m.next.val
}

func main() {
	x := &Node{}
	y := &Node{}
	link(x, y)
	_ = build()
	_ = local()
}
