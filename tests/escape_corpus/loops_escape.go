package main

var keep []*int

func main() {
	for i := 0; i < 3; i++ {
		keep = append(keep, &i)
	}
	xs := []int{1, 2, 3}
	for _, v := range xs {
		keep = append(keep, &v)
	}
	var ptrs []*int
	for j := 0; j < 2; j++ {
		k := j
		ptrs = append(ptrs, &k)
	}
	_ = ptrs
}
