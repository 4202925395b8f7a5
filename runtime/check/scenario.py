"""Loading a scenario file: `async def main(rt)`, and optionally NAME, EXPECT and MAX_STEPS.

WEAK lists the outcomes that only a weak memory model gives: the atomic and mutex variants
(`--variant`, which make every rt.var atomic, or run each rt.par body under one Mutex) forbid them.
EXPECT maps a model ("sc", "tso", "go", or "*" for all) to {"forbidden": [...], "interesting":
[...]}: lists of partial outcomes (dicts of register -> value; a "status" key matches how the
execution ended, e.g. "hangs"). An outcome matching a forbidden entry fails the check.
"""

import importlib.util
import inspect
import itertools
import pathlib

from runtime.errors import UserError

_counter = itertools.count()

ACCEPTABLE = "ACCEPTABLE"
INTERESTING = "ACCEPTABLE_INTERESTING"
FORBIDDEN = "FORBIDDEN"


class Scenario:
    """A loaded scenario file. Read-only after loading."""

    def __init__(self, path, main, name, expect, max_steps, weak):
        self.path = path
        self.main = main
        self.name = name
        self.expect = expect
        self.max_steps = max_steps
        self.weak = weak          # the weak outcomes, forbidden in the atomic and mutex variants

    def expectations(self, model, variant="plain"):
        if variant != "plain":
            return {"forbidden": self.weak} if self.weak else None
        return self.expect.get(model, self.expect.get("*"))

    def classify(self, model, outcome, variant="plain"):
        """ACCEPTABLE / ACCEPTABLE_INTERESTING / FORBIDDEN, or None when nothing is declared."""
        declared = self.expectations(model, variant)
        if declared is None:
            return None
        if any(_matches(outcome, o) for o in declared.get("forbidden", ())):
            return FORBIDDEN
        if any(_matches(outcome, o) for o in declared.get("interesting", ())):
            return INTERESTING
        return ACCEPTABLE


def _matches(outcome, partial):
    return all(outcome.get(k, "ok" if k == "status" else None) == v for k, v in partial.items())


def load(path):
    path = pathlib.Path(path)
    if not path.is_file():
        raise UserError(f"no scenario file {path}")
    spec = importlib.util.spec_from_file_location(f"gort_scenario_{next(_counter)}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise UserError(f"{path}:{err.lineno}: syntax error: {err.msg}") from None
    except Exception as err:
        raise UserError(f"{path}: loading it raised {type(err).__name__}: {err}") from None
    main = getattr(module, "main", None)
    if not inspect.iscoroutinefunction(main):
        raise UserError(f"{path}: a scenario defines `async def main(rt)`")
    expect = getattr(module, "EXPECT", {}) or {}
    if not isinstance(expect, dict):
        raise UserError(f"{path}: EXPECT must be a dict of model -> expectations")
    return Scenario(path, main, getattr(module, "NAME", path.stem), expect,
                    getattr(module, "MAX_STEPS", 2000), list(getattr(module, "WEAK", [])))
