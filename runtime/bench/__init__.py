"""Benchmark suites for `gort bench` (runtime/cmd/bench.py)."""
