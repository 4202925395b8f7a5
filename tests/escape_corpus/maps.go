package main

func count(words []string) map[string]int {
	m := make(map[string]int)
	for _, w := range words {
		m[w]++
	}
	return m
}

func lookup(m map[string]*int, k string) *int { return m[k] }

func main() {
	_ = count([]string{"a", "b"})
	local := map[int]int{1: 2}
	_ = local[1]
	x := 5
	pm := map[string]*int{}
	pm["x"] = &x
	_ = lookup(pm, "x")
}
