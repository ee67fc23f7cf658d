"""The project's own files agree with each other.

- environment.yml (conda) lists the same packages as pyproject.toml's runtime dependencies plus
  its `dev` extra, with the same version bounds wherever both files give them.
- .ci/run installs Chromium and bubblewrap as the README's Requirements say, runs the README's
  test command, and nothing else.
- The README's set-up is exactly `make lab` and `make test`, and the Makefile has both targets.
"""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

# Conda entries with no counterpart in pyproject.toml's package lists.
CONDA_ONLY = {"python", "pip"}


def load_pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def load_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def pyproject_packages(pyproject: dict) -> dict[str, SpecifierSet]:
    """Runtime dependencies plus the `dev` extra: canonical name -> version specifiers."""
    project = pyproject["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["dev"]
    packages: dict[str, SpecifierSet] = {}
    for line in lines:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in packages, f"pyproject.toml lists {name} twice"
        packages[name] = req.specifier
    return packages


def conda_packages(environment: dict) -> dict[str, SpecifierSet]:
    """Conda dependencies (not the `pip:` section): canonical name -> version specifiers.

    Version specs must be written the way pyproject.toml writes them (`numpy>=2.0`,
    `ruff>=0.17,<0.18`), which conda also accepts, so that the two can be compared.
    """
    packages: dict[str, SpecifierSet] = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):  # the `pip:` section
            continue
        spec = entry.split("::")[-1]  # drop a channel prefix such as conda-forge::
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", spec)
        assert match, f"environment.yml: cannot read the dependency {entry!r}"
        name, version = canonicalize_name(match[1]), match[2].replace(" ", "")
        if name in CONDA_ONLY:
            continue
        assert name not in packages, f"environment.yml lists {name} twice"
        try:
            packages[name] = SpecifierSet(version)
        except InvalidSpecifier:
            raise AssertionError(
                f"environment.yml: {entry!r}: write the version as pyproject.toml does "
                "(e.g. >=1.2 or >=1.2,<2), so the two files can be compared"
            ) from None
    return packages


def disagreements(pip: dict[str, SpecifierSet], conda: dict[str, SpecifierSet]) -> list[str]:
    """Every way the two package sets differ, as readable lines (empty when they agree)."""
    problems = []
    for name in sorted(pip.keys() - conda.keys()):
        problems.append(f"{name}: in pyproject.toml, missing from environment.yml")
    for name in sorted(conda.keys() - pip.keys()):
        problems.append(f"{name}: in environment.yml, missing from pyproject.toml")
    for name in sorted(pip.keys() & conda.keys()):
        a, b = pip[name], conda[name]
        if str(a) and str(b) and a != b:
            problems.append(f"{name}: pyproject.toml says {a}, environment.yml says {b}")
    return problems


def test_environment_yml_matches_pyproject():
    problems = disagreements(
        pyproject_packages(load_pyproject()), conda_packages(load_environment())
    )
    assert not problems, "environment.yml and pyproject.toml disagree:\n" + "\n".join(problems)


def test_comparison_notices_a_missing_package_and_a_different_bound():
    pip = pyproject_packages(load_pyproject())
    assert str(pip["numpy"]), "expected pyproject.toml to give numpy a lower bound"
    assert disagreements(pip, dict(pip)) == []

    without_numpy = {k: v for k, v in pip.items() if k != "numpy"}
    assert disagreements(pip, without_numpy) == [
        "numpy: in pyproject.toml, missing from environment.yml"
    ]
    assert disagreements(without_numpy, pip) == [
        "numpy: in environment.yml, missing from pyproject.toml"
    ]

    other_bound = dict(pip, numpy=SpecifierSet(">=1.0"))
    assert disagreements(pip, other_bound) == [
        f"numpy: pyproject.toml says {pip['numpy']}, environment.yml says >=1.0"
    ]


def test_environment_yml_uses_conda_forge_and_installs_the_project():
    environment = load_environment()
    assert environment["name"] == "minitorch-course"
    assert environment["channels"] == ["conda-forge"]
    pip_sections = [e["pip"] for e in environment["dependencies"] if isinstance(e, dict)]
    assert pip_sections == [['-e ".[dev]"']]


def test_environment_yml_python_matches_requires_python():
    requires = load_pyproject()["project"]["requires-python"]
    dependencies = load_environment()["dependencies"]
    pythons = [e for e in dependencies if isinstance(e, str) and re.match(r"python\b(?!-)", e)]
    assert pythons == [f"python{requires}"]


def command_lines(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


# What CI installs besides what make does: Chromium for the browser test, bubblewrap for the
# grading sandbox and PostgreSQL for the gradebook tests, exactly as README.md's Requirements
# tell a user to.
CI_APT = ("(command -v chromium && command -v bwrap && ls /usr/lib/postgresql/*/bin/initdb) "
          ">/dev/null 2>&1 || (apt-get update && apt-get install -y chromium bubblewrap "
          "postgresql)")


def test_ci_installs_chromium_bubblewrap_and_postgresql_then_runs_make_test_and_nothing_else():
    lines = command_lines((ROOT / ".ci" / "run").read_text())
    boilerplate = ["set -euo pipefail", 'cd "$(dirname "$0")/.."']
    assert lines == boilerplate + [CI_APT, "make test"]


def test_readme_requirements_tell_what_ci_installs():
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "`apt-get update && apt-get install -y chromium bubblewrap postgresql`" in readme


def readme_setup_commands() -> list[str]:
    """The commands in the code blocks of the README's `## Set-up` section."""
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Set-up\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert section, "README.md has no '## Set-up' section"
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", section[1], re.M | re.S)
    return [line for block in blocks for line in command_lines(block)]


def test_readme_setup_is_make_lab_and_make_test():
    assert readme_setup_commands() == ["make lab", "make test"]


def test_makefile_has_the_readme_targets():
    makefile = (ROOT / "Makefile").read_text()
    for included in re.findall(r"^include (\S+)$", makefile, re.M):
        makefile += (ROOT / included).read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert {"lab", "instructor", "test", "test-fast", "lint", "clean", "help"} <= targets
