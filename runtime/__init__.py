"""gort: an emulator of the Go 1.27.3 runtime (allocator, scheduler, memory model) in Python."""

GO_VERSION = "go1.27.3"
