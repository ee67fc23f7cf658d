"""autograder.mutants: the mutation operators on a toy package (each yields the mutant source
written out here by hand), planting and restoring (also after an error, also the copies other
modules imported by value), the stub message, the time guard; and every `mutants-A-B` gallery
cell of the source notebooks run in this process on the reference package."""

import ast
import contextlib
import inspect
import io
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import mutants
from autograder.mutants import gallery, make_mutants, planted

ROOT = Path(__file__).resolve().parent.parent

TOY = {
    "__init__.py": "",
    "ops.py": '''
        def total(xs):
            """Twice the sum."""
            s = 0
            for i in range(len(xs)):
                s += xs[i] * 2
            return s


        def first_positive(xs):
            for x in xs:
                if x > 0 and x != 7:
                    return x
            return None


        def flipped(xs):
            xs.reverse()
            return xs


        def todo(xs):
            raise NotImplementedError("Task 9.9: todo in mutant_toy/ops.py")


        def countdown(n):
            while n > 0:
                n -= 1
            return n


        def gram(a):
            return a.T @ a


        class Base:
            def size(self):
                return 1


        class Box(Base):
            @staticmethod
            def double(x):
                return x * 2 - 0

            def size(self):
                return super().size() + 1
    ''',
    "user.py": "from mutant_toy.ops import total\n",  # a copy imported by value
}


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The package `mutant_toy` (ops, and user holding a copy of ops.total), imported."""
    (tmp_path / "mutant_toy").mkdir()
    for name, text in TOY.items():
        (tmp_path / "mutant_toy" / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    import mutant_toy.ops
    import mutant_toy.user
    yield mutant_toy
    for name in [n for n in sys.modules if n.startswith("mutant_toy")]:
        del sys.modules[name]


def sources(target):
    """The source of every mutant of `target`, as ast.unparse writes it."""
    return sorted(m.source for m in make_mutants(target, limit=100)[0])


def normal(*codes):
    return sorted(ast.unparse(ast.parse(textwrap.dedent(code))) for code in codes)


def test_arithmetic_constants_range_and_left_out_statements(toy):
    body = ('def total(xs):\n    """Twice the sum."""\n    s = {}\n    for i in range({}):\n'
            '        {}\n    return s\n')
    want = [("1", "len(xs)", "s += xs[i] * 2"), ("-1", "len(xs)", "s += xs[i] * 2"),
            ("0", "len(xs) - 1", "s += xs[i] * 2"), ("0", "len(xs)", "s -= xs[i] * 2"),
            ("0", "len(xs)", "s += xs[i] / 2"), ("0", "len(xs)", "s += xs[i] * 3"),
            ("0", "len(xs)", "s += xs[i] * 1"), ("0", "len(xs)", "pass")]
    assert sources("mutant_toy.ops.total") == normal(*(body.format(*parts) for parts in want))


def test_comparisons_and_boolean_operators(toy):
    body = ("def first_positive(xs):\n    for x in xs:\n        if {}:\n            return x\n"
            "    return None\n")
    conditions = ["x >= 0 and x != 7", "x > 1 and x != 7", "x > -1 and x != 7",
                  "x > 0 or x != 7", "x > 0 and x == 7", "x > 0 and x != 8", "x > 0 and x != 6"]
    assert sources("mutant_toy.ops.first_positive") == normal(*(body.format(c)
                                                                for c in conditions))


def test_a_call_statement_left_out_and_matmul_swapped_or_untransposed(toy):
    assert sources("mutant_toy.ops.flipped") == normal("def flipped(xs):\n    pass\n"
                                                       "    return xs\n")
    assert sources("mutant_toy.ops.gram") == normal("def gram(a):\n    return a @ a.T\n",
                                                    "def gram(a):\n    return a @ a\n")


def test_each_mutant_is_described_by_line_and_change_and_runs(toy):
    found, possible = make_mutants("mutant_toy.ops.total", limit=100)
    assert possible == len(found) == 8
    first = inspect.getsourcelines(toy.ops.total)[1]
    by_what = {m.what: m.function for m in found}
    assert by_what[f"line {first + 4}: `+=` -> `-=`"]([1, 2]) == -6
    assert by_what[f"line {first + 3}: `range(len(xs))` -> `range(len(xs) - 1)`"]([1, 2]) == 2
    assert by_what[f"line {first + 2}: `0` -> `1`"]([1, 2]) == 7


def test_a_method_using_super_and_a_staticmethod_are_mutated(toy):
    Box = toy.ops.Box
    plus = {m.what.split(": ")[1]: m.function for m in make_mutants(
        "mutant_toy.ops.Box.size", 100)[0]}
    assert plus["`super().size() + 1` -> `super().size() - 1`"](Box()) == 0
    assert plus["`1` -> `2`"](Box()) == 1 + 2
    double = make_mutants("mutant_toy.ops.Box.double", 100)[0]
    assert len(double) == 6
    with planted("mutant_toy.ops.Box.double", double[0].function):
        assert isinstance(inspect.getattr_static(Box, "double"), staticmethod)
        assert Box.double(3) == double[0].function(3)


def test_limit_spreads_the_mutants_over_the_lines():
    sites = [(line, None, None, "") for line in [1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]
    chosen = mutants._spread(sites, 4)
    assert [sites[n][0] for n in chosen] == [1, 3, 6, 8]
    assert mutants._spread(sites[:4], 3) == [0, 1, 3]  # line 1 first, line 2, then line 1 again


def test_planted_replaces_the_copies_and_restores_them_even_after_an_error(toy):
    original = toy.ops.total

    def fake(xs):
        return "fake"
    with pytest.raises(ZeroDivisionError, match="in the block"), \
            planted("mutant_toy.ops.total", fake):
        assert toy.ops.total([1]) == toy.user.total([1]) == "fake"
        raise ZeroDivisionError("an error in the block")
    assert toy.ops.total is original and toy.user.total is original
    with planted("mutant_toy.ops.Box.double", fake):
        assert toy.ops.Box.double(1) == "fake"
    assert toy.ops.Box.double(1) == 2


def run_gallery(*args, **options):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        gallery(*args, **options)
    return out.getvalue()


def test_a_stub_runs_nothing_and_says_which_task_to_write(toy):
    calls = []
    printed = run_gallery(lambda: calls.append(1), "mutant_toy.ops.todo")
    assert "write Task 9.9 first" in printed and calls == []


def test_failing_visible_tests_run_no_mutant(toy):
    def visible():
        assert toy.ops.total([1]) == 3, "Task 9.1: total([1]) is 2"
    assert "make them pass first" in run_gallery(visible, "mutant_toy.ops.total")


def test_a_mutant_that_hangs_is_stopped_and_counted_as_killed(toy):
    def visible():
        assert toy.ops.countdown(3) == 0
    printed = run_gallery(visible, "mutant_toy.ops.countdown", seconds=0.2)
    assert printed.count("killed: timed out after 0.2 s") == 3  # n += 1, left out, n -= 0
    assert printed.endswith("7 of 7 mutants killed\n")
    assert toy.ops.countdown(3) == 0


def test_killed_mutants_say_how_and_survivors_live(toy):
    def strong():
        assert toy.ops.total([1, 2]) == 6, "Task 9.1: total([1, 2]) is 6"
    printed = run_gallery(strong, "mutant_toy.ops.total")
    assert re.search(r"`0` -> `1`\s+killed: total\(\[1, 2\]\) is 6\n", printed)
    assert printed.endswith("8 of 8 mutants killed\n")

    def weak():
        assert toy.ops.total([0]) == 0
    printed = run_gallery(weak, "mutant_toy.ops.total")
    assert printed.count("LIVES") == 6 and printed.endswith("2 of 8 mutants killed\n")


# ----- the gallery cells of the notebooks, on the reference package ------------------------

NOTEBOOKS = ["01_tensors", "02_autograd", "03_modules", "05_training"]
HELPERS = {"03_modules": ["code_002"], "05_training": ["code_009", "code_010"]}  # what the
# visible tests use (Affine and TwoStep; Squares, squares and default_collate)


def cells_of(name):
    path = ROOT / "course/source" / name / f"{name}.ipynb"
    return {c.get("id"): "".join(c["source"]) for c in json.loads(path.read_text())["cells"]}


GALLERIES = [(name, cell) for name in NOTEBOOKS for cell in cells_of(name)
             if re.fullmatch(r"mutants-\d-\d+", cell or "") and cell != "mutants-1-4"]


def test_every_task_with_visible_tests_in_01_02_03_05_has_a_gallery():
    assert len(GALLERIES) == 8 + 9 + 6 + 6


@pytest.mark.parametrize("name,cell", GALLERIES)
def test_a_gallery_cell_runs_on_the_reference_package(name, cell):
    import minitorch
    backend = minitorch.get_default_backend()
    cells = cells_of(name)
    task = cell.removeprefix("mutants-")
    visible = next(c for c in cells if c and c.replace("_", "-") == f"task-{task}-visible")
    setup = "\n".join(line for line in cells["setup"].splitlines() if not line.startswith("%"))
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec("\n".join([setup, *(cells[h] for h in HELPERS.get(name, [])), cells[visible],
                            cells[cell]]), {})
    finally:
        minitorch.set_default_backend(backend)
    summary = re.search(r"(\d+) of (\d+) mutants killed\n$", out.getvalue())
    assert summary, out.getvalue()[-2000:]
    assert int(summary[2]) >= 3 and "does not compile" not in out.getvalue()
