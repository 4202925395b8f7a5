package main

import (
	"errors"
	"fmt"
)

var ErrBad = errors.New("bad")

func check(n int) error {
	if n < 0 {
		return ErrBad
	}
	if n > 10 {
		return fmt.Errorf("too big: %d", n)
	}
	return nil
}

func main() {
	err := check(5)
	if errors.Is(err, ErrBad) {
		return
	}
}
