package main

import "sort"

type byLen []string

func main() {
	xs := []int{3, 1, 2}
	sort.Ints(xs)
	words := []string{"bb", "a"}
	sort.Slice(words, func(i, j int) bool { return len(words[i]) < len(words[j]) })
}
