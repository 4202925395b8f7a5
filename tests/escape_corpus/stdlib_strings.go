package main

import (
	"strconv"
	"strings"
)

func main() {
	s := "a,b,c"
	parts := strings.Split(s, ",")
	_ = strings.Join(parts, "-")
	_ = strings.ToUpper(s)
	_ = strings.Contains(s, "b")
	_ = strconv.Itoa(42)
	n, _ := strconv.Atoi("7")
	_ = n
	var sb strings.Builder
	sb.WriteString("x")
	_ = sb.String()
}
