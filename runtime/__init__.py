"""gort: an emulator of the Go 1.27.3 runtime (allocator, scheduler, memory model) in Python."""

from runtime import compiled

GO_VERSION = "go1.27.3"

compiled.install()     # before any compiled module is imported: see compiled.py
