"""Loading a scenario file: `async def main(rt)`, and optionally NAME, EXPECT, WEAK, VARIANTS and
MAX_STEPS.

WEAK lists the outcomes that only a weak memory model gives: the atomic and mutex variants
(`--variant`, which make every rt.var atomic, or run each rt.par body under one Mutex) forbid them.
VARIANTS names the variants that make sense for the scenario (all three by default): the mutex
variant only covers rt.par bodies, so a scenario whose goroutines start with rt.go leaves it out.
EXPECT maps a model ("sc", "tso", "go", or "*" for all) to {"forbidden": [...], "interesting":
[...]}: lists of partial outcomes (dicts of register -> value; a "status" key matches how the
execution ended, e.g. "hangs"). An outcome matching a forbidden entry fails the check.
"""

import inspect
import itertools
import pathlib
import sys
import types

from runtime.check.machine import MODELS
from runtime.errors import UserError

VARIANTS = ("plain", "atomic", "mutex")
EXPECTATION_KINDS = ("forbidden", "interesting")

_counter = itertools.count()

ACCEPTABLE = "ACCEPTABLE"
INTERESTING = "ACCEPTABLE_INTERESTING"
FORBIDDEN = "FORBIDDEN"


class Scenario:
    """A loaded scenario file. Read-only after loading."""

    def __init__(self, path, main, name, expect, max_steps, weak, variants=VARIANTS):
        self.path = path
        self.main = main
        self.name = name
        self.expect = expect
        self.max_steps = max_steps
        self.weak = weak          # the weak outcomes, forbidden in the atomic and mutex variants
        self.variants = variants  # the variants that make sense for it

    def require_variant(self, variant):
        if variant not in self.variants:
            raise UserError(f"{self.path}: the scenario has no {variant} variant "
                            f"(its VARIANTS: {', '.join(self.variants)})")

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
    module = _execute(path)
    main = getattr(module, "main", None)
    if not inspect.iscoroutinefunction(main):
        raise UserError(f"{path}: a scenario defines `async def main(rt)`")
    max_steps = getattr(module, "MAX_STEPS", 2000)
    if type(max_steps) is not int or max_steps < 1:
        raise UserError(f"{path}: MAX_STEPS must be a positive int, not {max_steps!r}")
    max_steps = min(max_steps, sys.maxsize)     # a huge limit means none (the compiled machine counts in C)
    return Scenario(path, main, getattr(module, "NAME", path.stem), _expect(path, module), max_steps,
                    _outcomes(path, "WEAK", getattr(module, "WEAK", [])), _variants(path, module))


def _execute(path):
    """Run the file as Python source, whatever its name ends with (importlib's loaders go by the
    suffix, and would cache bytecode of a .txt file under a .py file's name)."""
    try:
        code = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as err:        # also a file that is not UTF-8 (or its declared encoding)
        raise UserError(f"{path}:{err.lineno or 1}: not a Python scenario: syntax error: {err.msg}") from None
    except ValueError as err:         # null bytes: a binary file
        raise UserError(f"{path}: not a Python scenario: {err}") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it: {err.strerror or err}") from None
    module = types.ModuleType(f"gort_scenario_{next(_counter)}")
    module.__file__ = str(path)
    try:
        exec(code, module.__dict__)
    except Exception as err:
        raise UserError(f"{path}: loading it raised {type(err).__name__}: {err}") from None
    return module


def _expect(path, module):
    """EXPECT, checked: a misspelt model or kind would silently check nothing."""
    expect = getattr(module, "EXPECT", None) or {}
    if not isinstance(expect, dict):
        raise UserError(f"{path}: EXPECT must be a dict of model -> expectations, not {type(expect).__name__}")
    for model, declared in expect.items():
        if model not in MODELS and model != "*":
            raise UserError(f"{path}: EXPECT has an unknown model {model!r} (models: {', '.join(MODELS)}, *)")
        if not isinstance(declared, dict):
            raise UserError(f'{path}: EXPECT[{model!r}] must be a dict like {{"forbidden": [...], '
                            f'"interesting": [...]}}, not {type(declared).__name__}')
        for kind, outcomes in declared.items():
            if kind not in EXPECTATION_KINDS:
                raise UserError(f"{path}: EXPECT[{model!r}] has an unknown key {kind!r} "
                                f"(keys: {', '.join(EXPECTATION_KINDS)})")
            _outcomes(path, f"EXPECT[{model!r}][{kind!r}]", outcomes)
    return expect


def _outcomes(path, what, outcomes):
    """A list of partial outcomes (dicts of register -> value)."""
    if not isinstance(outcomes, (list, tuple)) or not all(isinstance(o, dict) for o in outcomes):
        raise UserError(f"{path}: {what} must be a list of partial outcomes (dicts of register -> value), "
                        f"not {outcomes!r}")
    return list(outcomes)


def _variants(path, module):
    variants = getattr(module, "VARIANTS", VARIANTS)
    if not isinstance(variants, (list, tuple)) or not variants or \
            any(v not in VARIANTS for v in variants):
        raise UserError(f"{path}: VARIANTS must list some of {', '.join(VARIANTS)}, not {variants!r}")
    return tuple(variants)
