package main

func first(a [4]int) int { return a[0] }

func slicePtr(a *[4]int) []int { return a[:] }

func main() {
	var arr [4]int
	_ = first(arr)
	arr2 := [4]int{1, 2, 3, 4}
	s := arr2[1:3]
	_ = s
	arr3 := [4]int{}
	_ = slicePtr(&arr3)
	big := [20000]int{}
	_ = big[0]
	var huge [20000]int64
	_ = huge
}
