package main

type Tree struct {
	left, right *Tree
	val         int
}

func insert(t *Tree, v int) *Tree {
	if t == nil {
		return &Tree{val: v}
	}
	if v < t.val {
		t.left = insert(t.left, v)
	} else {
		t.right = insert(t.right, v)
	}
	return t
}

func sum(t *Tree) int {
	if t == nil {
		return 0
	}
	return t.val + sum(t.left) + sum(t.right)
}

func even(n int, p *int) bool {
	if n == 0 {
		return true
	}
	return odd(n-1, p)
}

func odd(n int, p *int) bool {
	if n == 0 {
		return false
	}
	return even(n-1, p)
}

func main() {
	var root *Tree
	root = insert(root, 5)
	_ = sum(root)
	x := 0
	_ = even(4, &x)
}
