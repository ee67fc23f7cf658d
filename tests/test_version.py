"""`minitorch.__version__`: a version string that `packaging` parses (as code written for
`torch.__version__` does), and the one pyproject.toml gives the distribution."""

import tomllib
from pathlib import Path

from packaging.version import Version

import minitorch


def test_version_parses_and_matches_pyproject():
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    version = Version(minitorch.__version__)
    assert str(version) == pyproject["project"]["version"]
