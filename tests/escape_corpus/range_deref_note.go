package main

var sink any

func concat(ss []string) string {
	r := ""
	for _, s := range ss {
		r += s
	}
	return r
}

func leakElems(ps []*int) {
	for _, p := range ps {
		sink = p
	}
}

func main() {
	concat(nil)
	leakElems(nil)
}
