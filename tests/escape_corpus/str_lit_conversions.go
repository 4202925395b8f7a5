// Conversions of string constants: []byte("lit") is OSTR2BYTES (zero-copy when it does not escape),
// []rune("lit") a slice literal, string(b) OBYTES2STR.
package main

import "io"

var sink []byte
var rsink []rune
var ssink string

func b8(w io.Writer) { w.Write([]byte("x")) }
func c1() int        { b := []byte("x"); return len(b) }
func c2()            { sink = []byte("abc") }
func c3() []byte     { return []byte("abc") }
func c4() []rune     { return []rune("abc") }
func c5() int        { r := []rune("abc"); return len(r) }
func c6(b []byte) string { return string(b) }
func c7(b []byte) int { s := string(b); return len(s) }
func c8() { ssink = string([]byte("ab")) }
type MyB []byte
func c9() MyB { return MyB("abc") }
const K = "konst"
func c10() []byte { return []byte(K) }
func c11() int { b := []byte(K + "x"); return len(b) }

func main() {
	b8(nil); _ = c1(); c2(); _ = c3(); _ = c4(); _ = c5(); _ = c6(nil); _ = c7(nil); c8(); _ = c9(); _ = c10(); _ = c11()
}
