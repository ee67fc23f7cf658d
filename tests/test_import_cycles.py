"""No import cycles in `minitorch/` or `autograder/`: data flows one way between modules.

Every `import` statement counts, at module level and inside functions alike: a cycle hidden
in a function-level import is still two modules that each need the other. The graph is read
from the source with `ast`, without importing anything, so a cycle that Python happens to
resolve at run time is found too. Edges:

- `import a.b.c`: to `a.b.c` (importing the parent packages `a` and `a.b` on the way is
  implicit and does not count);
- `from a.b import name`: to `a.b.name` when that is a module, else to `a.b`;
- relative imports are resolved against the importing module's package first.

Imports of modules outside the scanned packages are ignored. Dynamic imports
(`importlib.import_module`) are not seen.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("minitorch", "autograder")


def module_files(root: Path, packages) -> dict[str, Path]:
    """Module name -> source file, for every .py file under the packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _from_base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of the module a `from ... import` statement imports from."""
    if not node.level:
        return node.module
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(module: str, path: Path, known) -> dict[str, int]:
    """The scanned modules that `module` imports anywhere in its source -> first line."""
    edges = {}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(module, path.name == "__init__.py", node)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target in known and target != module:
                edges[target] = min(edges.get(target, node.lineno), node.lineno)
    return edges


def import_graph(root: Path, packages) -> dict[str, dict[str, int]]:
    """module -> {imported module -> line of its first import}, over the packages' sources."""
    modules = module_files(root, packages)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph) -> list[list[str]]:
    """Tarjan's algorithm: the strongly connected components of more than one module, each
    sorted, in sorted order. Each is a set of modules that all import one another, directly
    or through the others."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def cycle_report(root: Path, packages) -> str:
    """Every import cycle: the modules of each component and the imports between them, with
    file and line; empty when there is none."""
    graph = import_graph(root, packages)
    files = module_files(root, packages)
    blocks = []
    for component in strongly_connected(graph):
        members = set(component)
        lines = [" <-> ".join(component)]
        lines += [f"    {src} -> {dst}  ({files[src].relative_to(root)}:{line})"
                  for src in component for dst, line in sorted(graph[src].items())
                  if dst in members]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def test_no_import_cycles():
    report = cycle_report(ROOT, PACKAGES)
    if report:
        pytest.fail("import cycles (per cycle: its modules, then the imports between them; "
                    "move the shared piece to a module below both, or invert the dependency):\n"
                    + report, pytrace=False)


# ----- the detector itself ------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_planted_cycle_through_a_function_level_import_is_found(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "import os\n\ndef f():\n    from . import b\n    return b\n",
        "pkg/b.py": "from .a import f\n",
        "pkg/c.py": "from pkg.a import f\nimport pkg.b\n",  # imports the cycle, is not in it
    })
    assert strongly_connected(import_graph(tmp_path, ["pkg"])) == [["pkg.a", "pkg.b"]]
    assert cycle_report(tmp_path, ["pkg"]).splitlines() == [
        "pkg.a <-> pkg.b",
        f"    pkg.a -> pkg.b  ({Path('pkg/a.py')}:4)",
        f"    pkg.b -> pkg.a  ({Path('pkg/b.py')}:1)",
    ]


def test_the_implicit_import_of_a_parent_package_is_no_edge(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "from .sub import thing\nfrom . import a\n",
        "pkg/a.py": "from . import b\n",  # pkg.b, a submodule: no edge to pkg
        "pkg/b.py": "",
        "pkg/sub/__init__.py": "from .deep import thing\n",
        "pkg/sub/deep.py": "from .. import b\nthing = 1\n",
    })
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.a"] == {"pkg.b": 1}
    assert graph["pkg.sub.deep"] == {"pkg.b": 1}
    assert graph["pkg"] == {"pkg.sub": 1, "pkg.a": 2}
    assert strongly_connected(graph) == []


def test_importing_a_name_from_a_package_depends_on_the_package(tmp_path):
    """`from pkg import helper` (not a submodule) needs pkg/__init__.py, which imports a."""
    _write(tmp_path, {
        "pkg/__init__.py": "from .a import run\nhelper = 1\n",
        "pkg/a.py": "def run():\n    from pkg import helper\n    return helper\n",
    })
    assert strongly_connected(import_graph(tmp_path, ["pkg"])) == [["pkg", "pkg.a"]]


def test_tarjan_separates_components_and_ignores_self_loops():
    graph = {"a": {"b": 1}, "b": {"a": 1, "c": 1}, "c": {"d": 1}, "d": {"c": 1, "d": 1},
             "e": {"a": 1}}
    assert strongly_connected(graph) == [["a", "b"], ["c", "d"]]
