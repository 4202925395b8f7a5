package main

type Writer interface{ Write(p []byte) (int, error) }

type Buf struct{ data []byte }

func (b *Buf) Write(p []byte) (int, error) {
	b.data = append(b.data, p...)
	return len(p), nil
}

func emit(w Writer, msg string) {
	w.Write([]byte(msg))
}

func main() {
	b := &Buf{}
	emit(b, "hello")
	var w Writer = b
	w.Write(nil)
}
