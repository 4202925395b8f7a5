"""Calls of rt operations that are made and never awaited: `ch.send(v)` for `await ch.send(v)`.

An rt operation is a coroutine: called without `await`, it does nothing, and Python says nothing
for a generator-based one (a channel's send and receive, rt.gosched). `gort run` looks for such
calls in a workload before it runs it, as `go vet` would (by the method's name: a call of the same
name on another object, not a module, is named too); `gort check` names the one an execution lost
(runtime/check).
"""

import ast

# Methods of the workload API that return an operation to await, in `gort run` (runtime/api.py,
# chan.py, sync.py) and in `gort check` (runtime/check/api.py). Not `add`: a WaitGroup's is a plain
# call, an atomic's is awaited, and the name alone can't tell them apart.
RUN_OPERATIONS = frozenset(("send", "recv", "recv2", "lock", "rlock", "wait", "do", "load", "store", "swap",
                            "compare_and_swap", "gosched", "sleep", "syscall", "select", "work"))


def unawaited_calls(source, names, statements_only=False):
    """(line, the call's source on one line) of each call of a method in `names` that is not
    awaited, in source order; with statements_only, only the calls that are whole statements,
    whose operation is dropped on the spot whatever the receiver."""
    tree = ast.parse(source)
    awaited = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Await)}
    statements = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    modules = _imported_names(tree)       # time.sleep(1) is no rt operation
    calls = sorted((node.lineno, node.col_offset, ast.get_source_segment(source, node)) for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and node.func.attr in names and id(node) not in awaited
                   and not (isinstance(node.func.value, ast.Name) and node.func.value.id in modules)
                   and (id(node) in statements or not statements_only))
    return [(line, " ".join(text.split())) for line, _, text in calls]


def _imported_names(tree):
    """The names the file binds by import (modules and what is imported from them)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def message(path, line, text):
    """What is wrong with the call `text` at path:line, and the fix."""
    return f"{path}:{line}: {text} is never awaited, so it never runs: write `await {text}`"
