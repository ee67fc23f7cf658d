"""Mutation testing for the notebooks: do the visible tests notice small changes to your code?

A *mutant* is a copy of your function with one small change, of the kind bugs are made of: a
`+` that became a `-`, a `<` that became `<=`, a constant off by one, a statement left out.
`gallery` makes a few mutants from the source of your own function, plants each one where
minitorch looks the function up, runs the task's visible tests and prints whether they fail
(they *kill* the mutant) or pass (the mutant LIVES):

    gallery(visible_tests_1_1, "minitorch.tensor_data.index_to_position")

A mutant that lives is either equivalent to your code (the change makes no difference) or a
bug the visible tests miss: a test worth writing. The mutants come from the student's code, so
a gallery shows no solution.

Python functions and methods only: the compiled kernels of 04, 06 and 07 are not mutated,
since each mutant would have to be compiled by Numba again (seconds to minutes each). A
mutant is compiled over the original's globals; its free variables (the `__class__` that
`super()` needs) are passed in from the original's closure. Each run of the visible tests on a
mutant has a time limit (a timer signal: on the main thread only), as a change may make a loop
endless.
"""

import ast
import contextlib
import copy
import importlib
import inspect
import io
import re
import signal
import sys
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass

__all__ = ["Mutant", "make_mutants", "planted", "gallery"]

WIDTH = 130  # of a printed line
STUB = re.compile(r'raise NotImplementedError\(\s*["\']Task (?P<task>[\w.]+)')

_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
          ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
          ast.And: ast.Or, ast.Or: ast.And}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Lt: "<",
            ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
            ast.Is: "is", ast.IsNot: "is not", ast.And: "and", ast.Or: "or"}


@dataclass
class Mutant:
    """One changed copy of a function: `what` says where and what changed, e.g.
    "line 7: `+` -> `-`"; `source` is the changed function's code; `function` is None when
    the change did not compile."""

    what: str
    source: str
    function: object


# ----- finding the function ----------------------------------------------------------------

def _resolve(target):
    """(the module or class that holds the target's last name, that name)."""
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


def _function(target):
    """The plain function that `target` names (a staticmethod's or classmethod's own)."""
    owner, name = _resolve(target)
    found = inspect.getattr_static(owner, name) if inspect.isclass(owner) else getattr(owner, name)
    return getattr(found, "__func__", found)


@contextlib.contextmanager
def planted(target, replacement):
    """Within the block, `replacement` stands where `target` (a dotted name) was: in its class
    (as a staticmethod or classmethod again where the original was one), or in its module and
    in every module of the package that imported it by value. Put back afterwards, always."""
    owner, name = _resolve(target)
    if inspect.isclass(owner):
        original = inspect.getattr_static(owner, name)
        kind = type(original) if isinstance(original, (staticmethod, classmethod)) else None
        own = name in vars(owner)  # else inherited: remove the plant afterwards
        places = [(owner, kind(replacement) if kind else replacement, original if own else None)]
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
            if old is None:
                delattr(place, name)
            else:
                setattr(place, name, old)


# ----- the mutation operators --------------------------------------------------------------

def _sites(definition, lines):
    """Every change the operators can make in the body of `definition` (not its signature,
    docstring or decorators), as (line, change, shown, what): `change()` makes it in this tree,
    `shown` is the expression whose text shows it (or None), `what` a description without.
    `lines` maps line numbers to the source lines. In a fixed order, so that a copy of the
    tree lists the same changes."""
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    parents = {child: node for node in ast.walk(definition)
               for child in ast.iter_child_nodes(node)}
    return [(node.lineno, change, _shown(node, parents, lines), what)
            for statement in body for node in ast.walk(statement)
            for what, change in _node_sites(node, parents)]


def _shown(node, parents, lines):
    """The smallest expression around `node` (on one line, at most 30 characters) whose
    text occurs once on its line, so that a description can tell two `1`s apart; or None."""
    if isinstance(node, ast.stmt):
        return None
    while isinstance(node, ast.expr) and node.lineno == node.end_lineno:
        text = ast.unparse(node)
        if len(text) > 30:
            return None
        if len(re.findall(r"(?<!\w)" + re.escape(text) + r"(?!\w)", lines[node.lineno])) <= 1:
            return node
        node = parents.get(node)
    return None


def _swap(node, attribute, index=None):
    """The change of the operator `node.attribute` (or its [index]) to its swap, if any."""
    ops = getattr(node, attribute)
    op = ops if index is None else ops[index]
    new = _SWAPS.get(type(op))
    if new is None:
        return []
    equals = "=" if isinstance(node, ast.AugAssign) else ""

    def change():
        if index is None:
            setattr(node, attribute, new())
        else:
            ops[index] = new()
    return [(f"`{_SYMBOLS[type(op)]}{equals}` -> `{_SYMBOLS[new]}{equals}`", change)]


def _replace(parent, old, new):
    """Put the node `new` where `parent` holds `old`."""
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
        elif isinstance(value, list) and old in value:
            value[value.index(old)] = new


def _node_sites(node, parents):
    """The changes the operators make at `node` itself, as (description, change); `parents`
    maps each node to the one holding it."""
    sites = []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        def change():
            node.left, node.right = node.right, node.left
        sites.append(("the factors of `@` swapped", change))
    elif isinstance(node, ast.Attribute) and node.attr in ("T", "mT"):
        def change():
            _replace(parents[node], node, node.value)
        sites.append((f"`.{node.attr}` left out", change))
    elif isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp)):
        sites += _swap(node, "op")
    elif isinstance(node, ast.Compare):
        for i in range(len(node.ops)):
            sites += _swap(node, "ops", i)
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        for step in (1, -1):
            def change(step=step):
                node.value += step
            sites.append((f"`{node.value}` -> `{node.value + step}`", change))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "range" and len(node.args) == 1 and not node.keywords:
        def change():
            node.args[0] = ast.BinOp(node.args[0], ast.Sub(), ast.Constant(1))
        stop = ast.unparse(node.args[0])
        sites.append((f"`range({_short(stop, 20)})` -> `range(... - 1)`", change))
    if isinstance(node, ast.Call) and len(node.args) >= 2 \
            and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
        def change():
            node.args[0], node.args[1] = node.args[1], node.args[0]
        sites.append(("the first two arguments swapped", change))
    if isinstance(node, ast.AugAssign) or (isinstance(node, ast.Expr)
                                           and isinstance(node.value, ast.Call)):
        def change():
            _replace(parents[node], node, ast.Pass())
        sites.append((f"`{_short(ast.unparse(node))}` left out", change))
    return sites


def _short(text, width=40):
    """`text` on one line, cut to `width` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _spread(sites, limit):
    """The numbers of at most `limit` of the sites, spread over the lines: first one per line
    (evenly spaced lines where there are more lines than room), then a second, and so on."""
    by_line = {}
    for number, (line, *_) in enumerate(sites):
        by_line.setdefault(line, []).append(number)
    chosen = []
    while len(chosen) < limit and any(by_line.values()):
        taken = [numbers.pop(0) for numbers in by_line.values() if numbers]
        room = limit - len(chosen)
        chosen += taken if len(taken) <= room else [taken[i * len(taken) // room]
                                                    for i in range(room)]
    return sorted(chosen)


def _parse(source, first):
    """The module tree of a function's source lines (the first at line `first` of its file),
    at the file's line numbers, its staticmethod/classmethod decorator dropped (`planted` puts
    it back)."""
    tree = ast.parse(textwrap.dedent("".join(source)))
    ast.increment_lineno(tree, first - 1)
    definition = tree.body[0]
    definition.decorator_list = [
        d for d in definition.decorator_list
        if not (isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod"))]
    return tree


def _compile(tree, function, filename):
    """The function that the (changed) `tree` defines, over the original's globals; its free
    variables (e.g. the `__class__` of `super()`) are taken from the original's closure."""
    definition = tree.body[0]
    factory = ast.FunctionDef(
        name="__mutant_factory__",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(name) for name in
                                                 function.__code__.co_freevars],
                           kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[definition, ast.Return(ast.Name(definition.name, ast.Load()))],
        decorator_list=[], returns=None, type_params=[])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.copy_location(factory, definition)
    ast.fix_missing_locations(module)
    code = compile(module, filename, "exec")
    make = next(c for c in code.co_consts if inspect.iscode(c))
    cells = [cell.cell_contents for cell in function.__closure__ or ()]
    return type(function)(make, function.__globals__)(*cells)


def make_mutants(target, limit=8):
    """(at most `limit` mutants of the function or method that `target` names, spread over
    its lines; how many changes there were to choose from)."""
    function = inspect.unwrap(_function(target))
    source, first = inspect.getsourcelines(function)
    tree = _parse(source, first)
    lines = dict(enumerate(source, first))
    filename = inspect.getsourcefile(function) or "<mutant>"
    sites = _sites(tree.body[0], lines)
    mutants = []
    for number in _spread(sites, limit):
        changed = copy.deepcopy(tree)
        line, change, shown, what = _sites(changed.body[0], lines)[number]
        before = shown and ast.unparse(shown)
        change()
        if shown:
            what = f"`{before}` -> `{ast.unparse(shown)}`"
        try:
            mutant = _compile(changed, function, filename)
        except Exception:  # noqa: BLE001 - a change that does not compile is reported, not run
            mutant = None
        mutants.append(Mutant(f"line {line}: {what}", ast.unparse(changed.body[0]), mutant))
    return mutants, len(sites)


# ----- running the visible tests on each mutant --------------------------------------------

class TimeLimit(BaseException):
    """The visible tests ran past the time limit on a mutant (a BaseException, so that no
    `except Exception` in the tests swallows it)."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise TimeLimit in the block after `seconds`: by a timer signal, so only on the main
    thread of a system that has one; elsewhere the block runs without a limit."""
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise TimeLimit(f"timed out after {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _outcome(visible_tests, seconds):
    """How the visible tests end: None when they pass, else the first line of their error
    ("timed out ..." past `seconds`). Their printing and warnings are hidden."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), time_limit(seconds):
            warnings.simplefilter("ignore")
            visible_tests()
    except TimeLimit as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - any failure of the tests kills the mutant
        text = (str(error).strip().splitlines() or [""])[0]
        if isinstance(error, AssertionError) and text:
            return re.sub(r"^Task [\d.]+: ", "", text)
        return f"{type(error).__name__}: {text}" if text else type(error).__name__
    return None


def gallery(visible_tests, target, limit=8, seconds=None):
    """Make at most `limit` mutants of your function `target` (a dotted name such as
    "minitorch.tensor_ops.tensor_map"), run `visible_tests()` on each and print one line per
    mutant, killed (and how) or LIVES, then how many were killed. Each run stops after
    `seconds` (by default 5 times the time the tests take on your code, at least 3 s)."""
    function = inspect.unwrap(_function(target))
    name = function.__qualname__
    try:
        stub = STUB.search(inspect.getsource(function))
    except (OSError, TypeError):
        print(f"The source of {name} cannot be read, so it cannot be mutated.")
        return
    if stub:
        print(f"{name} is still the stub: write Task {stub['task']} first")
        return
    start = time.perf_counter()
    failure = _outcome(visible_tests, seconds=600)
    if failure:
        print(f"The visible tests fail on your code as it is; make them pass first:\n  {failure}")
        return
    seconds = seconds or max(3.0, 5 * (time.perf_counter() - start))
    mutants, possible = make_mutants(target, limit)
    print(f"{len(mutants)} mutants of your {name} (of {possible} possible changes):")
    whats = [_short(m.what, 70) for m in mutants]
    width = max(map(len, whats), default=0) + 2
    killed = run = 0
    for what, mutant in zip(whats, mutants):
        if mutant.function is None:
            print(f"  {what:{width}s}not run: it does not compile"[:WIDTH])
            continue
        with planted(target, mutant.function):
            failure = _outcome(visible_tests, seconds)
        run += 1
        killed += failure is not None
        verdict = f"killed: {failure}" if failure else "LIVES"
        print(f"  {what:{width}s}{verdict}"[:WIDTH])
    print(f"{killed} of {run} mutants killed")
