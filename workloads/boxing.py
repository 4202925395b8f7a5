# boxing (a seed example): values boxed into interfaces for printing. fmt.Println(args ...any)
# converts each argument to an interface: ints outside 0..255 and floats allocate 8 B (convT64),
# non-empty strings 16 B (convTstring), and the []any itself is allocated too. Small ints use
# runtime.staticuint64s and allocate nothing. Compare the mallocs in the summary.

async def main(rt):
    for i in range(200):
        rt.println("i =", i, "square =", i * i, "half =", i / 2)
    rt.println(True, None, 7)          # bool, nil and a small int: only the []any is allocated
