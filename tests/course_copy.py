"""A temporary copy of the course for tests that release or grade it (never the real one)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_course(parent: Path) -> Path:
    """`parent/course`: course/ without anything generated (config, tasks.toml, sources)."""
    course = parent / "course"
    course.mkdir()
    for name in ("nbgrader_config.py", "tasks.toml"):
        shutil.copy(ROOT / "course" / name, course / name)
    shutil.copytree(ROOT / "course" / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return course
