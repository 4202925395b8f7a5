package main

type E struct{ msg string }

func fail(m string) {
	panic(&E{m})
}

func safe() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = nil
		}
	}()
	fail("x")
	return nil
}

func main() {
	_ = safe()
}
