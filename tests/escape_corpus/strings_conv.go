package main

func toBytes(s string) []byte { return []byte(s) }

func toString(b []byte) string { return string(b) }

func concat(a, b string) string { return a + b }

func main() {
	s := "hello"
	b := []byte(s)
	_ = len(b)
	_ = toBytes(s)
	_ = toString(b)
	r := []rune(s)
	_ = string(r)
	_ = concat(s, s)
	local := s + " world"
	_ = local
}
