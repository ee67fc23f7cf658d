"""course/nbgrader_config.py: what nbgrader reads, loaded the way nbgrader loads it."""

import re
import shutil
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder.tasks import load_registry

ROOT = Path(__file__).resolve().parent.parent


def load(folder: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


@pytest.fixture(scope="module")
def config():
    return load(ROOT / "course")


def test_course_paths_live_in_the_course(config):
    course = ROOT / "course"
    assert config.CourseDirectory.root == str(course)
    assert config.CourseDirectory.course_id == "minitorch"
    assert config.CourseDirectory.db_url == f"sqlite:///{course / 'gradebook.db'}"
    assert config.Exchange.root == str(course / "exchange")


def test_a_copy_of_the_course_is_self_contained(tmp_path):
    """The self-check grades in copies of the course: every path follows the copy."""
    shutil.copy(ROOT / "course" / "nbgrader_config.py", tmp_path)
    config = load(tmp_path)
    assert config.CourseDirectory.root == str(tmp_path)
    assert str(tmp_path) in config.CourseDirectory.db_url
    assert config.Exchange.root.startswith(str(tmp_path))
    assert config.Autograde.exclude_overwriting == {}  # no tasks.toml, no source: nothing


def test_cell_timeout_uses_the_knob_that_works(config):
    assert config.Execute.timeout >= 60
    assert "timeout" not in config.ExecutePreprocessor


@pytest.mark.parametrize("text", [
    "/venv/lib/python3.11/site-packages/numba/core/dispatcher.py:12: "
    "NumbaPerformanceWarning: np.dot() is faster on contiguous arrays\n",
    "/tmp/ipykernel_1/123.py:3: DeprecationWarning: old\n  x = f()\n",
    "first line\n<string>:1: RuntimeWarning: overflow encountered in exp\n",
])
def test_warnings_on_stderr_are_ignored(config, text):
    assert config.IgnorePattern.enabled is True
    assert re.search(config.IgnorePattern.pattern, text)


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n",
    "Task 1.1: case 0 gives a wrong result\n",
    "my own message on stderr\n",
])
def test_other_stderr_output_is_kept(config, text):
    assert not re.search(config.IgnorePattern.pattern, text)


def test_student_package_files_are_never_overwritten(config):
    excluded = config.Autograde.exclude_overwriting
    assert set(excluded) == set(load_registry(ROOT / "course" / "tasks.toml").assignments)
    for files in excluded.values():
        assert "minitorch/__init__.py" in files
        assert "minitorch/tensor_data.py" in files
        assert not any("__pycache__" in name for name in files)
