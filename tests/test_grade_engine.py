"""The grading engine's API and the grade command's set-up, without running a notebook:
the batch loop over an executor, what travels to a worker, the command line, and the check
that the sandbox's user can run the grader's Python."""

import os
import pickle
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import engine
from autograder.cli import parse_args
from autograder.course import Course
from autograder.engine import Graded, grade_batch
from autograder.kernels import SharedKernels, cache_entries, compiled_files, seal
from autograder.sandbox import Isolation, Limits, runtime_problem
from autograder.spec import from_course
from autograder.submissions import Submission
from autograder.verdict import Test as GradedTest

ROOT = Path(__file__).resolve().parent.parent


def test_grade_batch_yields_each_outcome_and_an_error_costs_only_its_submission(monkeypatch):
    def fake(spec, submission, expected, limits):  # no kernels: none are given
        if submission.student == "broken":
            raise ValueError("a bug in the grader")
        test = GradedTest("task_1_1", "1.1", "nb", 5, expected["score"])
        return Graded(submission.student, [test])

    monkeypatch.setattr(engine, "grade_submission", fake)
    subs = [Submission(name, Path(name)) for name in ("ada", "broken", "bob")]
    with ThreadPoolExecutor(2) as pool:
        outcomes = {s.student: (graded, error)
                    for s, graded, error in grade_batch(pool, None, subs, {"score": 5}, Limits())}
    assert sorted(outcomes) == ["ada", "bob", "broken"]
    assert outcomes["ada"][0].tests[0].score == 5 and outcomes["ada"][1] is None
    assert outcomes["broken"][0] is None
    assert str(outcomes["broken"][1]) == "a bug in the grader"


def test_what_a_worker_gets_and_returns_is_picklable():
    spec = from_course(Course.load(ROOT / "course", ROOT / "minitorch"), "01_tensors")
    portable = spec.portable({"1.1": [{"outputs": [1]}]})
    back = pickle.loads(pickle.dumps(portable))
    assert back.course is None and back.expected == {"1.1": [{"outputs": [1]}]}
    assert [t.name for t in back.tests] == [t.name for t in spec.tests]
    assert spec.course is not None  # the original keeps its course
    graded = Graded("ada", spec.fresh_tests(), notes=["n"], limits={"kernel died"},
                    isolation="bubblewrap")
    assert pickle.loads(pickle.dumps(graded)) == graded


@pytest.mark.parametrize("argv, listed, wanted", [
    (["grade", "01_tensors", "--out", "D", "s1", "s2"], "submissions", ["s1", "s2"]),
    (["grade", "01_tensors", "s1", "--out", "D", "s2", "--force", "s3"], "submissions",
     ["s1", "s2", "s3"]),
    (["check", "01_tensors", "--jobs", "1", "02_autograd"], "assignments",
     ["01_tensors", "02_autograd"]),
])
def test_options_may_stand_between_the_positionals(argv, listed, wanted):
    args = parse_args(argv)
    assert getattr(args, listed) == wanted


def test_an_unknown_option_is_still_refused(capsys):
    with pytest.raises(SystemExit):
        parse_args(["grade", "01_tensors", "s1", "--out", "D", "s2", "--frobnicate"])
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="the unprivileged-user sandbox needs root and setpriv")
def test_a_python_the_sandbox_user_cannot_reach_is_named_with_what_to_do():
    base = Path(tempfile.mkdtemp(prefix="autograder-home-"))  # pytest's tmp_path is private
    try:
        base.chmod(0o755)
        private = base / "teacher"
        venv = private / "venv"  # this virtual environment, moved into a home folder
        (venv / "bin").mkdir(parents=True)
        python = venv / "bin" / "python"
        python.symlink_to(sys.executable)
        shutil.copy(Path(sys.prefix) / "pyvenv.cfg", venv / "pyvenv.cfg")
        (venv / "lib").symlink_to(Path(sys.prefix) / "lib")
        private.chmod(0o700)  # a private home folder
        tier = Isolation("unprivileged user", True)
        problem = runtime_problem(tier, str(python))
        assert problem is not None
        assert f"other users cannot enter {private}" in problem
        assert "bubblewrap" in problem and "chmod o+rx" in problem
        private.chmod(0o755)
        assert runtime_problem(tier, str(python)) is None  # reachable now
    finally:
        shutil.rmtree(base)


def test_bubblewrap_and_no_sandbox_need_no_probe():
    assert runtime_problem(Isolation("bubblewrap", True), "/nonexistent/python") is None
    assert runtime_problem(Isolation("none", False), "/nonexistent/python") is None


# ---------------------------------------------------------------------------------------------
# the reference's compiled kernels, shared with the submissions they fit
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The reference package's SharedKernels (an empty folder stands for the kernels)."""
    folder = tmp_path_factory.mktemp("kernels")
    return SharedKernels.of_reference(folder, ROOT / "minitorch")


def a_copy(tmp_path: Path) -> Path:
    package = tmp_path / "minitorch"
    shutil.copytree(ROOT / "minitorch", package, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def test_compiled_files_are_the_numba_modules_and_what_they_import():
    names = {p.relative_to(ROOT / "minitorch").as_posix()
             for p in compiled_files(ROOT / "minitorch")}
    assert {"fast_ops.py", "operators.py", "fast_conv.py"} <= names  # fast_ops compiles operators
    # what assignment 05 asks for is plain Python: its students share the kernels
    assert not names & {"nn/functional.py", "optim/sgd.py", "optim/adam.py", "utils/data.py"}


ALL = {"fast_ops.py", "operators.py", "fast_conv.py"}


def test_kernels_fit_the_reference_and_a_change_outside_compiled_code(shared, tmp_path):
    package = a_copy(tmp_path)
    assert ALL <= set(shared.fit(package))
    functional = package / "nn" / "functional.py"
    functional.write_text(functional.read_text() + "\n# the student's own loss\n")
    assert ALL <= set(shared.fit(package))


def flip_a_byte(path: Path) -> None:
    text = path.read_bytes()
    path.write_bytes(text[:-2] + bytes([text[-2] ^ 1]) + text[-1:])


@pytest.mark.parametrize("changed, still_fit", [
    ("fast_conv.py", {"fast_ops.py"}),  # 07's own kernels: the fast backend's still fit
    ("fast_ops.py", set()),  # the operators are compiled over fast_ops' forms
    ("operators.py", set()),
    ("tensor_data.py", {"fast_ops.py"})])  # which fast_ops does not import
def test_a_changed_file_unfits_the_kernels_that_depend_on_it(shared, tmp_path, changed,
                                                           still_fit):
    package = a_copy(tmp_path)
    flip_a_byte(package / changed)
    fit = set(shared.fit(package))
    assert not fit & (ALL - still_fit)
    assert still_fit <= fit


def test_kernels_never_fit_a_removed_or_linked_module(shared, tmp_path):
    package = a_copy(tmp_path)
    (package / "operators.py").unlink()
    assert not set(shared.fit(package)) & ALL
    (package / "operators.py").symlink_to(ROOT / "minitorch" / "operators.py")
    assert not set(shared.fit(package)) & ALL


def test_cache_entries_are_where_numba_puts_them(tmp_path, monkeypatch):
    """Numba's own cache locator names the folder and files that autograder.execute copies."""
    from numba.core.caching import UserProvidedCacheLocator

    package = tmp_path / "minitorch"
    (package / "nn").mkdir(parents=True)
    source = package / "nn" / "kernels.py"
    source.write_text("def f(x):\n    return x\n")
    monkeypatch.setattr("numba.core.config.CACHE_DIR", str(tmp_path / "cache"))
    locator = UserProvidedCacheLocator(lambda: None, str(source))
    subfolder, prefix = cache_entries("nn/kernels.py", str(package))
    assert locator.get_cache_path() == str(tmp_path / "cache" / subfolder)
    assert prefix == "kernels."


@pytest.mark.skipif(os.geteuid() != 0, reason="sealing hands the kernels to root")
def test_sealed_kernels_belong_to_the_grader_and_nobody_else_can_write_them(tmp_path):
    folder = tmp_path / "kernels"
    (folder / "minitorch_x").mkdir(parents=True)
    (folder / "minitorch_x" / "fast_ops.nbi").write_bytes(b"index")
    for path in (folder, folder / "minitorch_x", folder / "minitorch_x" / "fast_ops.nbi"):
        os.chown(path, 61999, 61999)  # as the reference run's sandbox user left them
        path.chmod(0o777)
    seal(folder)
    for path in (folder, folder / "minitorch_x", folder / "minitorch_x" / "fast_ops.nbi"):
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (0, 0)
        assert info.st_mode & 0o022 == 0, oct(info.st_mode)
