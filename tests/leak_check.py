"""An independent check that a folder holds no solution, by the release's rule (a block leaks
into a file when two of its long lines occur there, or its only one): the blocks are the
solution regions of the tasks still stubbed in an assignment's release and the notebooks'
solution blocks. Simpler than autograder.leaks, written apart from it."""

from pathlib import Path

from autograder.course import Course, notebook_parts
from autograder.leaks import normalize
from autograder.regions import find_regions


def solution_blocks(course: Course, assignment: str) -> dict[str, set[str]]:
    """Block name -> its long lines (20 characters or more), without the lines that students
    see anyway: in the assignment's student package, or in any released notebook (a lecture
    may show a line of an exercise's answer)."""
    registry = course.registry
    shown = [*(course.release(assignment) / "minitorch").rglob("*.py"),
             *(course.root / "release").glob("*/*.ipynb")]
    public = "\n".join(normalize(line) for path in shown
                       for line in path.read_text().splitlines())
    blocks: dict[str, set[str]] = {}
    for region in find_regions(course.package, course.repo, registry):
        if region.task in registry.stubbed_in(assignment):
            text = (course.repo / region.file).read_text().splitlines()
            blocks[region.where] = {normalize(line) for line in text[region.begin:region.end - 1]}
    for name in registry.assignments:
        for path in course.notebooks(name):
            for where, line in notebook_parts(path).solution:
                blocks.setdefault(where, set()).add(normalize(line))
    blocks = {name: {line for line in lines if len(line) >= 20 and line not in public}
              for name, lines in blocks.items()}
    return {name: lines for name, lines in blocks.items() if lines}


def assert_no_solution(folder: Path, course: Course, assignment: str) -> None:
    blocks = solution_blocks(course, assignment)
    assert len(blocks) > 10
    for path in (p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        for name, lines in blocks.items():
            found = [line for line in lines if line in text]
            assert len(found) < min(2, len(lines)), \
                f"{path.relative_to(folder)} holds {name}: {found[:3]}"
