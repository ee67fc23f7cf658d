"""Mutant galleries: run a task's visible tests on classic wrong versions of its code.

How good is a test suite? Plant a typical bug (a *mutant*) and see whether the tests fail (they
*kill* it). A gallery cell of a notebook writes a few wrong versions of the task's function,
each marked with the name it stands in for, and runs the task's visible tests on each:

    from autograder.mutants import gallery, mutant

    @mutant("minitorch.tensor_data.index_to_position")
    def skips_last_dim(index, strides):
        return sum(index[i] * strides[i] for i in range(len(index) - 1))

    report_1_1 = gallery(visible_tests_1_1, [skips_last_dim])

`planted` swaps a mutant in everywhere the package looks its target up (the module attribute,
the copies that other modules of the package imported by value, or a class's method) and puts
the original back afterwards, whatever happens.
"""

import contextlib
import importlib
import inspect
import io
import re
import sys
from dataclasses import dataclass

__all__ = ["mutant", "planted", "gallery", "Report"]

WIDTH = 100  # of a printed line


def mutant(target):
    """Mark a function as a wrong version of `target`, the dotted name of the function or
    method it stands in for, e.g. "minitorch.tensor_functions.Sub.backward"."""
    def mark(function):
        function.target = target
        return function
    return mark


def _resolve(target):
    """(the object that holds the target's last name, that name)."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ValueError(f"{target!r} names no importable module")


@contextlib.contextmanager
def planted(target, replacement):
    """Within the block, `replacement` stands where `target` (a dotted name) was."""
    owner, name = _resolve(target)
    if inspect.isclass(owner):
        original = inspect.getattr_static(owner, name)
        kind = type(original) if isinstance(original, (staticmethod, classmethod)) else None
        places = [(owner, kind(replacement) if kind else replacement, original)]
    else:
        original = getattr(owner, name)
        package = target.split(".")[0]
        modules = [m for key, m in list(sys.modules.items())
                   if m is not None and (key == package or key.startswith(package + "."))]
        places = [(m, replacement, original) for m in modules
                  if m is owner or vars(m).get(name) is original]
    try:
        for place, new, _ in places:
            setattr(place, name, new)
        yield
    finally:
        for place, _, old in places:
            setattr(place, name, old)


@dataclass
class Report:
    """What a gallery found: the mutants, and each one's verdict by name ("killed", "lives",
    "not run")."""

    mutants: list
    verdicts: dict

    @property
    def survivors(self):
        return [name for name, verdict in self.verdicts.items() if verdict == "lives"]


def _first_line(error):
    """How the visible tests failed: an assertion's message, else the error's type and text."""
    text = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, AssertionError) and text:
        return re.sub(r"^Task [\d.]+: ", "", text)  # the task is the gallery's own
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def gallery(visible_tests, mutants):
    """Run `visible_tests()` with each mutant planted; print and return the verdicts.

    A mutant is killed when the visible tests raise (the line says how they failed), lives when
    they pass, and is not run when they meet an earlier task that is not written yet."""
    verdicts, lines = {}, []
    width = max(len(wrong.__name__) for wrong in mutants) + 2
    for wrong in mutants:
        try:
            with planted(wrong.target, wrong), contextlib.redirect_stdout(io.StringIO()):
                visible_tests()
            verdict, why = "lives", "every visible test passes"
        except NotImplementedError as error:  # an earlier task of the student's, not written yet
            verdict, why = "not run", "first write " + (str(error).strip() or "the code it needs")
        except Exception as error:
            verdict, why = "killed", _first_line(error)
        verdicts[wrong.__name__] = verdict
        lines.append(f"{wrong.__name__:{width}s}{verdict:9s}{why}"[:WIDTH])
    print("\n".join(lines))
    return Report(list(mutants), verdicts)
