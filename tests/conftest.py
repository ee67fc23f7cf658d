"""Shared pytest configuration: the CUDA simulator, hypothesis profiles, backends.

`ci` (the default) keeps the property suite inside the time budget of `make test`;
`dev` explores more examples (`HYPOTHESIS_PROFILE=dev pytest ...`).
"""

import ctypes.util
import os

import pytest
from hypothesis import HealthCheck, settings

# Where there is no NVIDIA driver, numba.cuda runs on its simulator, so that the GPU kernels
# are tested on every machine. Numba reads the variable when it is imported, so it is set
# here, before any test module imports numba; only numba.cuda reads it (the processes tests
# start inherit it). A value set by the user wins (0: the GPU tests skip without a GPU).
if ctypes.util.find_library("cuda") is None:
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=300, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
# The suites on the cuda backend: the simulator runs each GPU thread as a Python thread
settings.register_profile("cuda", settings.get_profile(PROFILE), max_examples=6)


# ----- backends -------------------------------------------------------------------------------
# The tensor and autograd suites run once per backend; on cuda (the CUDA simulator, without a
# GPU: slow) not the Jacobian-by-Jacobian gradchecks, nor the tutorial, which compares with
# what PyTorch printed for CPU tensors. Everything else runs on the default backend;
# tests/test_cuda_backend.py runs nn, optim and training on cuda.
BACKENDS = {
    "test_autodiff_core", "test_autograd_gradcheck", "test_autograd_semantics", "test_creation",
    "test_elementwise", "test_errors", "test_indexing", "test_matmul", "test_new_tensor_ops",
    "test_printing", "test_reductions", "test_shape_ops", "test_tutorial",
}
NOT_ON_CUDA = {"test_autograd_gradcheck", "test_tutorial"}


# The longest tests, started first so that pytest-xdist's workers run the many short tests
# beside them instead of waiting for one at the end (most expensive first).
LONGEST_FIRST = (
    "test_course_release_check.py::test_check_the_course_grades_itself[07",
    "test_course_release_check.py::test_check_the_course_grades_itself[05",
    "test_course_release_check.py::test_check_the_course_grades_itself[04",
    "test_grade_cluster.py::",
    "test_course_release_check.py::test_check_the_course_grades_itself",
    "test_grade_hostile.py::",
    "test_gradebook_postgres.py::",
)


def _start_rank(item):
    ranks = [i for i, prefix in enumerate(LONGEST_FIRST) if prefix in item.nodeid]
    return ranks[0] if ranks else len(LONGEST_FIRST)


# Modules whose tests share one costly module-scoped fixture (a graded batch, a release, a
# database server): `make test` runs pytest-xdist with --dist loadgroup, and each of these
# goes to one worker, so the fixture is built once rather than once per worker.
ONE_WORKER = {"test_grade_hostile", "test_grade_cluster", "test_gradebook_postgres",
              "test_student_copy", "test_autograder_ci", "test_bundle",
              "test_grade_engine", "test_mutant_gallery"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("cpu_only") and "[cuda" in item.name:
            item.add_marker(pytest.mark.skip(reason="a property of CPU tensors"))
        if item.module.__name__.rpartition(".")[2] in ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(key=_start_rank)


def pytest_configure(config):
    """Stop where `--dist loadgroup` would silently ignore the groups above: with pytest 9.2,
    pytest-xdist 3.8 writes the group where pytest no longer reads a test's id, and every
    worker would build each costly fixture again (minutes of `make test`)."""
    if config.getoption("dist", "no") != "loadgroup":
        return
    from importlib.metadata import version

    def release(package):
        return tuple(int(part) for part in version(package).split(".")[:2] if part.isdigit())

    if release("pytest") >= (9, 2) and release("pytest-xdist") <= (3, 8):
        raise pytest.UsageError(
            f"pytest {version('pytest')} and pytest-xdist {version('pytest-xdist')} do not "
            f"work together under --dist loadgroup (the test groups are ignored): install "
            f"the versions that pyproject.toml's dev extra pins (pip install -e '.[dev]')")


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in BACKENDS:
        names = ["simple", "fast"] + ([] if module in NOT_ON_CUDA else ["cuda"])
        metafunc.parametrize("backend", names, indirect=True, scope="module")


@pytest.fixture(scope="module", autouse=True)
def backend(request):
    """The backend new tensors get during a test: the parameter where the module runs on
    several, else the default. On `cuda`, the suites written for the CPU see the GPU's
    tensors through the host: `from_numpy` copies to the GPU and `.numpy()` copies back
    (tests/test_cuda_backend.py tests PyTorch's own rules for those two on the GPU)."""
    import minitorch

    before = minitorch.get_default_backend()
    name = getattr(request, "param", before)
    if name == "cuda" and not minitorch.cuda.is_available():
        pytest.skip("no GPU, and the CUDA simulator is off (NUMBA_ENABLE_CUDASIM=0)")
    minitorch.set_default_backend(name)
    with pytest.MonkeyPatch.context() as patch:
        if name == "cuda":
            _through_the_host(patch, minitorch)
            settings.load_profile("cuda")
        yield name
    settings.load_profile(PROFILE)
    minitorch.set_default_backend(before)


def _through_the_host(patch, minitorch):
    from minitorch.tensor_core import TensorCore

    from_numpy = minitorch.from_numpy
    patch.setattr(minitorch, "from_numpy", lambda array: from_numpy(array).cuda())
    patch.setattr(TensorCore, "numpy", lambda self: self._data.numpy())
