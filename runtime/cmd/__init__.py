"""The `gort` subcommands, one module each (see runtime/cli.py)."""
