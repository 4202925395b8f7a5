"""`gort`: every capability of the emulator is a subcommand.

Each subcommand lives in its own module, imported only when it is the one asked for (so `gort escape`
does not pay for trio, nor `gort alloc-trace` for tree-sitter). A module provides
`add_arguments(parser)` and `run(args) -> int`, the exit status.
"""

import argparse
import importlib
import sys

from runtime.errors import UserError

# name -> (module, one-line help)
COMMANDS = {
    "run": ("runtime.cmd.run", "run a workload on the emulated runtime and report its contention"),
    "analyze": ("runtime.cmd.analyze", "lock-contention report of one run log, or two side by side"),
    "trace": ("runtime.cmd.trace", "export a run log as a Chrome/Perfetto trace"),
    "pprof": ("runtime.cmd.pprof", "export a run log's lock contention as a pprof mutex profile"),
    "plot": ("runtime.cmd.plot", "plot lock wait and heap in use over virtual time"),
    "check": ("runtime.cmd.check", "explore a memory-ordering scenario's outcomes under a memory model"),
    "alloc-trace": ("runtime.cmd.alloctrace", "replay an allocation trace on one P and print MemStats deltas"),
    "escape": ("runtime.cmd.escape", "escape analysis of a Go file, in the compiler's -m form"),
    "bench": ("runtime.cmd.bench", "measure the emulator's speed beside native Go's"),
}


def build_parser(argv):
    parser = argparse.ArgumentParser(prog="gort", description="Go 1.27.3 runtime emulator")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(command_parser)
            command_parser.set_defaults(_module=module)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        status = args._module.run(args)
    except UserError as err:
        print(f"gort {args.command}: {err}", file=sys.stderr)
        status = 1
    except BrokenPipeError:
        status = 0
    sys.exit(status)


if __name__ == "__main__":
    main()
