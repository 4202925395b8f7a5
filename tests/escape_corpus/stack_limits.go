package main

func main() {
	a := make([]byte, 65536)
	_ = a
	b := make([]byte, 65537)
	_ = b
	c := make([]int64, 8192)
	_ = c
	d := make([]int64, 8193)
	_ = d
	var e [131072]byte
	_ = e
	var f [131073]byte
	_ = f
	g := new([65536]byte)
	_ = g
	h := new([65537]byte)
	_ = h
}
