"""`gort escape FILE.go`: the compiler's escape-analysis verdicts (-m -l), its flow explanations
(--explain, as -m=2), and what each heap allocation costs in the emulated allocator (--alloc)."""

import os

from runtime.errors import UserError


def add_arguments(parser):
    parser.add_argument("file", help="a Go source file (package main)")
    parser.add_argument("--explain", action="store_true", help="add the flow chains, as -gcflags=-m=2")
    parser.add_argument("--alloc", action="store_true",
                        help="list heap allocations by site with their size class and span class")


def run(args):
    from runtime.escape import EscapeError, analyze_file
    from runtime.escape.alloc import alloc_lines
    try:
        result = analyze_file(args.file, explain=args.explain)
    except EscapeError as err:
        raise UserError(str(err)) from None
    for line in result.lines:
        print(line)
    if result.unsupported:
        print(f"# gort escape: {result.unsupported}")
        return 2
    if args.alloc:
        print()
        for line in alloc_lines(result, os.path.basename(args.file)):
            print(line)
    return 0
