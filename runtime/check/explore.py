"""Explorers: who chooses, at each step of an execution, what happens next.

A Chooser answers two questions the machine asks: `schedule(options, machine)` (which goroutine
steps, or which store buffer drains) and `value(n, machine)` (which of n visible writes a load
reads). Every answer with more than one possibility is recorded, so an execution replays exactly
from its token.

- RandomChooser: uniform choices from a seeded random.Random.
- PCTChooser: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random thread
  priorities, the highest-priority enabled thread runs, and d-1 random change points lower it.
- Exhaustive: depth-first enumeration of every choice sequence with sleep sets (Godefroid), so
  executions that differ only in the order of independent steps are explored once.
"""

from runtime.check.objects import ReplayMismatch, SleepBlocked


def option_key(option):
    """An option's name that is the same in every execution: 2 * goroutine slot + step kind."""
    return option[2]


def independent(fp1, fp2):
    """Two steps commute unless they touch one object and are not both plain reads."""
    for obj1, kind1 in fp1:
        for obj2, kind2 in fp2:
            if obj1 == obj2 and not (kind1 == "r" and kind2 == "r"):
                return False
    return True


class Recorder:
    """Records the choices that had alternatives: the replay token."""

    sees_all = False

    def __init__(self):
        self.choices = []

    def replay_prefix(self, machine):
        """The steps to make before asking `schedule` (the exhaustive explorer's known prefix)."""
        return ()



class RandomChooser(Recorder):
    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def schedule(self, options, machine):
        i = self.rng.randrange(len(options))
        self.choices.append(i)
        return i

    def value(self, n, machine):
        i = self.rng.randrange(n)
        self.choices.append(i)
        return i


class PCTChooser(Recorder):
    """PCT with depth d over an execution of about k steps."""

    sees_all = True

    def __init__(self, rng, depth, k):
        super().__init__()
        self.rng = rng
        self.priority = {}
        self.change_points = set(rng.sample(range(1, max(k, depth) + 1), depth - 1)) if depth > 1 else set()
        self.low = 0
        self.step = 0

    def _priority(self, key):
        """A goroutine's (or store buffer's) priority, drawn at random the first time it is seen."""
        if key not in self.priority:
            self.priority[key] = 1 + self.rng.random()
        return self.priority[key]

    def schedule(self, options, machine):
        self.step += 1
        keys = [option_key(o) for o in options]
        best = max(range(len(keys)), key=lambda i: self._priority(keys[i]))
        if self.step in self.change_points:
            self.low -= 1
            self.priority[keys[best]] = self.low
        if len(options) > 1:
            self.choices.append(best)
        return best

    def value(self, n, machine):
        i = self.rng.randrange(n)
        self.choices.append(i)
        return i


class ReplayChooser(Recorder):
    """Makes the recorded choices again."""

    def __init__(self, choices):
        super().__init__()
        self.replay = list(choices)
        self.position = 0

    def _next(self, n):
        if self.position >= len(self.replay):
            raise ReplayMismatch("the replay token is shorter than the execution: wrong scenario or model?")
        i = self.replay[self.position]
        self.position += 1
        if not 0 <= i < n:
            raise ReplayMismatch("the replay token does not fit this scenario: wrong scenario or model?")
        self.choices.append(i)
        return i

    def schedule(self, options, machine):
        return self._next(len(options))

    def value(self, n, machine):
        return self._next(n)


class _Node:
    """One choice point with alternatives on the current path of the depth-first search."""

    __slots__ = ("keys", "footprints", "quiet", "partners", "doomed", "sleep", "done", "choice", "index",
                 "sleep_after", "n", "position")

    def __init__(self, position, keys=None, footprints=None, quiet=None, sleep=None, n=0):
        self.position = position      # the number of steps logged before it (see Exhaustive.log)
        self.keys = keys              # scheduling node: option keys; value node: None
        self.footprints = footprints
        self.quiet = quiet            # per option: taking it adds no option (Machine.adds_no_option)
        self.partners = None          # per option: with which next step it adds none (Machine.drain_partner)
        self.doomed = _NONE           # keys of options that, asleep, never wake (Machine.never_wakes)
        self.sleep = sleep or _AWAKE  # option key -> footprint, asleep on arrival here
        self.done = []
        self.choice = None
        self.index = 0                # position of `choice` among the options
        self.sleep_after = None       # the sleep set once `choice` is taken (computed once)
        self.n = n                    # value node: how many writes to choose from

    def take(self, key):
        self.choice = key
        self.index = self.keys.index(key)
        self.sleep_after = self._sleep_set_after()

    def _sleep_set_after(self):
        """Sleep set of the next state: what slept here or was explored before, if independent
        of the chosen step (Godefroid's sleep sets). Computed once per choice, when it is taken:
        every replay of the path reads it."""
        if not self.sleep and not self.done:
            return _AWAKE                       # the first choice at a node without sleepers
        chosen = self.footprints[self.index]
        after = {k: fp for k, fp in self.sleep.items() if k in self.keys and independent(fp, chosen)}
        for k in self.done:
            fp = self.footprints[self.keys.index(k)]
            if independent(fp, chosen):
                after[k] = fp
        return after or _AWAKE

    def blocked_after(self):
        """Whether the chosen step certainly leads to a state whose every option is asleep:
        it adds no option, and every other option here sleeps after it. Such a choice is
        skipped without running it (it would end sleep-set-blocked)."""
        after = self.sleep_after
        awake = [k for k in self.keys if k != self.choice and k not in after]
        if not awake:
            return self.quiet[self.index]
        # Two steps: the chosen one and its partner add no option, the partner is the one option
        # awake after the choice (the search takes it next), and every other sleeps after both.
        partner = self.partners[self.index]
        if partner is None or awake != [partner]:
            return False
        fp = self.footprints[self.keys.index(partner)]
        if fp is None:
            return False
        for asleep in after.values():
            if not independent(asleep, fp):
                return False
        return True


    def dooms(self):
        """Whether an option that never wakes sleeps after the chosen step: then no execution
        through it can end normally (Machine.never_wakes)."""
        if self.doomed:
            for k in self.sleep_after:
                if k in self.doomed:
                    return True
        return False


_AWAKE = {}
_NONE = frozenset()

# The choices the explorer skips unrun, each proved to end sleep-set-blocked or abnormally. Tests
# turn each kind off to show that skipping it changes no execution.
SKIP_QUIET = True          # a step that adds no option (Machine.adds_no_option)
SKIP_PARTNERS = True       # a step and its drain partner (Machine.drain_partner)
SKIP_DOOMED = True         # a choice a never-waking store dooms (Machine.never_wakes)


class Exhaustive(Recorder):
    """Stateless depth-first search over choice sequences, with sleep sets.

    Each execution replays the current path's choices, then extends it with first choices; after
    it, `backtrack` moves to the next unexplored choice at the deepest node that has one. Only
    steps with alternatives are nodes: a forced step only checks the sleep set (a sleeping
    transition is enabled, so at a state with one option the sleep set holds at most that one).
    """

    sees_all = True

    def __init__(self, skip_doomed=True):
        super().__init__()
        self.skip_doomed = skip_doomed and SKIP_DOOMED    # skip choices Machine.never_wakes dooms
        self.path = []
        self.depth = 0
        self.sleep = _AWAKE
        self.skipped = 0           # choices found sleep-set-blocked without running them
        self.doomed_skips = 0      # of which doomed by an option that never wakes
        self.log = []              # every step of the execution: (option key, its node or None)
        self.known = 0             # how many logged steps the next execution replays

    def begin(self):
        self.depth = 0
        self.sleep = _AWAKE
        self.choices = []          # a new list: the last execution keeps its own
        self.known = len(self.log)

    def replay_prefix(self, machine):
        """The logged steps up to the backtracked choice, as options of `machine`. They are the
        last execution's own (the machine is deterministic), so the options and sleep sets of
        their states need not be computed again; only the path's bookkeeping is redone."""
        log = self.log
        for i in range(self.known):
            key, node = log[i]
            if node is None:
                self.sleep = _AWAKE
            else:
                self.depth += 1
                self.choices.append(node.index)
                self.sleep = node.sleep_after
            yield machine.option(key)

    def schedule(self, options, machine):
        if len(options) == 1:
            key = options[0][2]
            if self.sleep:
                if key in self.sleep:
                    raise SleepBlocked()
                self.sleep = _AWAKE
            self.log.append((key, None))
            return 0
        depth = self.depth
        if depth < len(self.path):
            node = self.path[depth]               # replaying the path: the same options recur
        else:
            keys = [o[2] for o in options]
            sleep = self.sleep
            # An option asleep here is never taken here: no footprint, never skipped (quiet).
            node = _Node(len(self.log), keys, [None if k in sleep else machine.footprint(o)
                                               for k, o in zip(keys, options)], sleep=sleep)
            if self.skip_doomed and machine.tso:
                node.doomed = frozenset([o[2] for o in options if machine.never_wakes(o)])
            for key in keys:
                if key in sleep:
                    continue
                node.take(key)
                if not node.dooms():
                    break
                node.done.append(key)               # no execution through it ends normally
                self.skipped += 1
                self.doomed_skips += 1
            else:
                raise SleepBlocked()                # every option asleep (or doomed)
            # Only the options the search comes back to may be skipped unrun (blocked_after).
            node.quiet = [SKIP_QUIET and k != key and k not in sleep and machine.adds_no_option(o)
                          for k, o in zip(keys, options)]
            node.partners = [SKIP_PARTNERS and k != key and k not in sleep and machine.drain_partner(o) or None
                             for k, o in zip(keys, options)]
            self.path.append(node)
        self.depth = depth + 1
        self.sleep = node.sleep_after
        self.choices.append(node.index)
        self.log.append((node.choice, node))
        return node.index

    def value(self, n, machine):
        if self.depth < len(self.path):
            node = self.path[self.depth]
        else:
            node = _Node(len(self.log), n=n)   # the log holds the step making this choice
            node.choice = 0
            self.path.append(node)
        self.depth += 1
        self.choices.append(node.choice)
        return node.choice

    def backtrack(self):
        """Move to the next unexplored execution; False when there is none."""
        del self.path[self.depth:]      # nodes past where the last execution stopped
        while self.path:
            node = self.path[-1]
            if node.keys is None:
                if node.choice + 1 < node.n:
                    node.choice += 1
                    del self.log[node.position:]
                    return True
            else:
                node.done.append(node.choice)
                for k in node.keys:
                    if k in node.done or k in node.sleep:
                        continue
                    node.take(k)
                    if node.dooms():
                        self.doomed_skips += 1
                        node.done.append(k)
                        self.skipped += 1
                        continue
                    if not node.blocked_after():
                        del self.log[node.position:]
                        self.log.append((k, node))
                        return True
                    node.done.append(k)
                    self.skipped += 1
            self.path.pop()
        return False


def make_chooser(explore, rng, depth=3, k=50):
    if explore == "random":
        return RandomChooser(rng)
    if explore == "pct":
        return PCTChooser(rng, depth, k)
    raise ValueError(explore)

