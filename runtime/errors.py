"""Errors that reach the user as a clear message instead of a Python traceback."""


class UserError(Exception):
    """A mistake in the user's input: `gort` prints one line naming it and exits with status 1."""
