# pointer_to_local (a seed example): `func newPoint(x, y int) *Point { p := Point{x, y}; return &p }`.
# The local escapes, so every call is a 16-B heap allocation through mallocgc on the caller's P
# (Go's escape analysis: "moved to heap: p"). Four goroutines build short lists of points.

POINT_SIZE = 16          # struct { x, y int }


def new_point(rt, x, y):
    # p := Point{x, y}; return &p  -- p escapes: new(Point)
    return rt.new(POINT_SIZE, pointers=False)


async def builder(rt, id, n, wg):
    points = []
    for i in range(n):
        points.append(new_point(rt, id, i))
        await rt.work(50)     # the loop body's own computation
    rt.println("builder", id, "made", len(points), "points")
    wg.done()


async def main(rt):
    wg = rt.WaitGroup()
    for id in range(4):
        wg.add(1)
        rt.go(builder, rt, id, 2000, wg)
    await wg.wait()
