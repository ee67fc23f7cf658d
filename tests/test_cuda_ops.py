"""The `cuda` backend's kernels (minitorch/cuda_ops.py), called directly on device arrays and
compared with NumPy: on a GPU, or on numba's CUDA simulator where there is none (conftest.py
turns it on before numba is imported). The simulator runs each GPU thread as a Python
thread, a few thousand a second, so the tensors here are small; each test still crosses the
edges of blocks and tiles: reductions longer than a block, matrices larger than a tile.
"""

import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numba
import numpy as np
import pytest
from numba import cuda

from autograder.regions import scan_file, stub_text
from minitorch import cuda_ops
from minitorch import operators as ops

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and not numba.config.ENABLE_CUDASIM:
    raise RuntimeError("NUMBA_ENABLE_CUDASIM=1 was set after numba was imported: the CUDA "
                       "simulator is off (see tests/conftest.py)")
if not cuda.is_available():
    pytest.skip("no GPU, and the CUDA simulator is off (NUMBA_ENABLE_CUDASIM=0)",
                allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(6)


# ----- calling the kernels ------------------------------------------------------------------------
def on_device(x):
    """The storage, shape and strides of the NumPy array or view `x`, as device arrays: the
    storage is the memory `x` spans from its first element, so a transposed, sliced or
    broadcast view keeps its strides."""
    steps = [s // x.itemsize for s in x.strides]
    assert min(steps, default=0) >= 0
    span = 0 if x.size == 0 else 1 + sum((n - 1) * s for n, s in zip(x.shape, steps))
    memory = np.lib.stride_tricks.as_strided(x, shape=(span,), strides=(x.itemsize,)).copy()
    return (cuda.to_device(memory), cuda.to_device(np.array(x.shape, dtype=np.int64)),
            cuda.to_device(np.array(steps, dtype=np.int64)))


def run(kernel, out, *inputs, extra=()):
    """Call `kernel` with `out` (a NumPy array or view, written in place on the device) and
    `inputs` (NumPy arrays) as device arrays; `out`'s values afterwards."""
    storage, shape, strides = on_device(out)
    kernel(storage, shape, strides, *(arg for x in inputs for arg in on_device(x)), *extra)
    memory = storage.copy_to_host()
    return np.lib.stride_tricks.as_strided(memory, out.shape, out.strides).copy()


def layouts(a):
    """The values of `a` in three layouts: contiguous, transposed, and sliced from a larger
    array (every other element along the last dimension)."""
    transposed = np.ascontiguousarray(a.T).T
    sliced = np.repeat(a, 2, axis=-1)[..., ::2] if a.ndim else a
    return [a, transposed, sliced]


def random(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if dtype.startswith("int"):
        return RNG.integers(-9, 10, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


# ----- 6.1 map and 6.2 zip ---------------------------------------------------------------------
@pytest.mark.parametrize("in_shape, out_shape", [
    ((3, 4), (3, 4)), ((1, 4), (3, 4)), ((3, 1), (3, 5)), ((4,), (2, 3, 4)), ((), ()),
    ((), (2, 2)), ((0, 3), (0, 3)), ((300,), (300,))])
def test_map_matches_numpy_with_broadcasting_on_any_layout(in_shape, out_shape):
    """Outputs of 300 elements take two blocks of threads."""
    a = random(in_shape, "float64")
    map_exp = cuda_ops.tensor_map(ops.exp)
    for x in layouts(a):
        got = run(map_exp, np.zeros(out_shape), x)
        np.testing.assert_allclose(got, np.broadcast_to(np.exp(a), out_shape), rtol=1e-12)


@pytest.mark.parametrize("dtype, fn, expected", [
    ("float32", ops.sigmoid, lambda a: 1 / (1 + np.exp(-a))), ("float64", ops.neg, np.negative),
    ("int32", ops.abs, np.abs), ("int64", ops.neg, np.negative),
    ("bool", ops.logical_not, np.logical_not)])
def test_map_of_every_dtype(dtype, fn, expected):
    a = random((3, 5), dtype)
    got = run(cuda_ops.tensor_map(fn), np.zeros((3, 5), dtype), a.T.copy().T)
    np.testing.assert_allclose(got, expected(a), rtol=1e-6)
    assert got.dtype == dtype


def test_map_writes_into_a_strided_output():
    """`out` may be a view (an in-place operation on a transposed tensor)."""
    a = random((3, 4), "float64")
    storage = np.full((4, 3), 7.0)
    got = run(cuda_ops.tensor_map(ops.neg), storage.T, a)
    np.testing.assert_array_equal(got, -a)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((2, 1, 5), (3, 1)),
    ((0, 3), (1, 3))])
def test_zip_matches_numpy_with_broadcasting_on_any_layout(a_shape, b_shape):
    a, b = random(a_shape, "float64"), random(b_shape, "float64")
    out_shape = np.broadcast_shapes(a_shape, b_shape)
    zip_mul = cuda_ops.tensor_zip(ops.mul)
    for x, y in zip(layouts(a), reversed(layouts(b))):
        np.testing.assert_allclose(run(zip_mul, np.zeros(out_shape), x, y), a * b, rtol=1e-12)


@pytest.mark.parametrize("dtype, out_dtype, fn, expected", [
    ("float32", "float32", ops.add, np.add), ("float64", "float64", ops.div, np.divide),
    ("float64", "bool", ops.lt, np.less), ("int32", "int32", ops.int_floordiv, np.floor_divide),
    ("int64", "int64", ops.sub, np.subtract), ("bool", "bool", ops.logical_and, np.logical_and)])
def test_zip_of_every_dtype(dtype, out_dtype, fn, expected):
    a, b = random((4, 3), dtype), random((3,), dtype)
    if dtype.startswith("int"):
        b[b == 0] = 3  # integer division by zero is an error
    if fn is ops.div:
        a[0], b[0] = [0.0, 1.0, -1.0], 0.0  # IEEE: nan, inf, -inf
    got = run(cuda_ops.tensor_zip(fn), np.zeros((4, 3), out_dtype), a, b)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(got, expected(a, b), rtol=1e-6)
    assert got.dtype == out_dtype


# ----- 6.3 reduce ---------------------------------------------------------------------------------
def reduce(fn, a, dim, start, dtype=None):
    """Fold `a` along `dim` with `fn` from `start`, on the device: out arrives holding the
    start value, with size 1 along `dim`, as in tensor_ops."""
    shape = list(a.shape)
    shape[dim] = 1
    out = np.full(shape, start, dtype=dtype or a.dtype)
    return run(cuda_ops.tensor_reduce(fn), out, a, extra=(dim,))


@pytest.mark.parametrize("shape", [(2, 3, 5), (4, 1), (1, 7), (0, 3), (3, 0)])
def test_reduce_over_every_dim_on_any_layout(shape):
    """Lengths 0, 1, odd and even, over the first, a middle and the last dimension."""
    a = random(shape, "float64")
    for dim in range(len(shape)):
        for x in layouts(a):
            np.testing.assert_allclose(reduce(ops.add, x, dim, 0.0),
                                       a.sum(dim, keepdims=True), rtol=1e-12)
        np.testing.assert_array_equal(reduce(ops.maximum, x, dim, -np.inf),
                                      a.max(dim, keepdims=True, initial=-np.inf))


@pytest.mark.parametrize("shape, dim", [((300,), 0), ((257, 2), 0), ((2, 513), 1)])
def test_reduce_longer_than_a_block(shape, dim):
    """More elements than threads in a block (THREADS = 256): threads fold several each."""
    assert max(shape) > cuda_ops.THREADS
    a = random(shape, "int64")
    np.testing.assert_array_equal(reduce(ops.add, a, dim, 0), a.sum(dim, keepdims=True))
    np.testing.assert_array_equal(reduce(ops.maximum, a.T.copy().T, dim, -100),
                                  a.max(dim, keepdims=True))


def test_reduce_starts_from_the_value_in_out():
    a = random((3, 4), "float64")
    np.testing.assert_allclose(reduce(ops.add, a, 1, 10.0), 10 + a.sum(1, keepdims=True))
    np.testing.assert_allclose(reduce(ops.add, a[:, :0], 1, 10.0), np.full((3, 1), 10.0))


@pytest.mark.parametrize("dtype, fn, start, expected", [
    ("float32", ops.maximum, -np.inf, np.max), ("float64", ops.mul, 1.0, np.prod),
    ("int32", ops.add, 0, np.sum), ("int64", ops.minimum, 100, np.min),
    ("bool", ops.logical_or, False, np.any), ("bool", ops.logical_and, True, np.all)])
def test_reduce_of_every_dtype(dtype, fn, start, expected):
    a = random((5, 6), dtype)
    for dim in (0, 1):
        got = reduce(fn, a, dim, start)
        np.testing.assert_allclose(got, expected(a, axis=dim, keepdims=True), rtol=1e-6)
        assert got.dtype == dtype


# ----- 6.4 matmul ---------------------------------------------------------------------------------
def matmul(a, b):
    """`a @ b` on the device, for `a` and `b` of the same rank (as tensor_ops takes them)."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return run(cuda_ops.tensor_matmul, np.zeros(shape, a.dtype), a, b)


@pytest.mark.parametrize("n, k, m", [(1, 1, 1), (5, 7, 3), (17, 18, 19), (3, 0, 2), (0, 3, 2)])
def test_matmul_covers_the_edges_of_tiles_on_any_layout(n, k, m):
    """Sizes that are no multiple of the tile (TPB = 16), up to two tiles each way."""
    a, b = random((n, k), "float64"), random((k, m), "float64")
    for x, y in [(a, b), (np.ascontiguousarray(a.T).T, np.repeat(b, 2, axis=1)[:, ::2])]:
        np.testing.assert_allclose(matmul(x, y), a @ b, rtol=1e-12, atol=1e-12)


def test_matmul_broadcasts_batches():
    a, b = random((2, 1, 3, 4), "float64"), random((1, 3, 4, 2), "float64")
    np.testing.assert_allclose(matmul(a, b), a @ b, rtol=1e-12)
    one = np.broadcast_to(a[:1, :1], (2, 3, 3, 4))  # one matrix, stride 0 along the batches
    np.testing.assert_allclose(matmul(one, b), one @ b, rtol=1e-12)


def test_matmul_launches_batches_past_the_grid_s_limit_in_parts(monkeypatch):
    monkeypatch.setattr(cuda_ops, "MAX_GRID_Z", 2)
    a, b = random((5, 2, 3), "int64"), random((5, 3, 2), "int64")
    np.testing.assert_array_equal(matmul(a, b), a @ b)


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "bool"])
def test_matmul_of_every_dtype(dtype):
    a, b = random((2, 3, 4), dtype), random((2, 4, 5), dtype)
    got = matmul(a, b)
    np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)
    assert got.dtype == dtype


# ----- student copies and real GPUs ---------------------------------------------------------------
def stubbed_cuda_ops():
    """minitorch/cuda_ops.py as `autograder release` stubs it for a student with tasks 6.1 to
    6.4 to do, loaded as a module of the minitorch package."""
    path = Path(cuda_ops.__file__)
    regions, problems = scan_file(path, "minitorch/cuda_ops.py")
    assert not problems
    assert sorted(r.task for r in regions) == ["6.1", "6.2", "6.3", "6.4"]
    registry = types.SimpleNamespace(tasks={
        task: types.SimpleNamespace(id=task, name=name) for task, name in cuda_ops.TASKS.values()})
    text = stub_text(path.read_text(), regions, {r.task for r in regions}, registry,
                     "minitorch/cuda_ops.py")
    module = types.ModuleType("minitorch.stubbed_cuda_ops")
    module.__package__ = "minitorch"
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


def test_a_task_still_to_do_raises_its_own_error():
    """A stub is not compiled: on a GPU its `raise` would be skipped and the output left as
    it was; it runs as Python and raises."""
    stubbed = stubbed_cuda_ops()
    a = random((2, 3), "float64")
    calls = {"6.1": lambda: run(stubbed.tensor_map(ops.neg), np.zeros((2, 3)), a),
             "6.2": lambda: run(stubbed.tensor_zip(ops.add), np.zeros((2, 3)), a, a),
             "6.3": lambda: run(stubbed.tensor_reduce(ops.add), np.zeros((2, 1)), a, extra=(1,)),
             "6.4": lambda: run(stubbed.tensor_matmul, np.zeros((2, 2)), a, a.T)}
    for task, call in calls.items():
        with pytest.raises(NotImplementedError, match=rf"^Task {task}: \S+ in minitorch/cuda_ops"):
            call()


LOWER_EVERY_KERNEL = """
    # numba's CUDA compiler, up to the LLVM IR of sm_90 (NVVM, which is not needed for that,
    # would then make PTX), without a GPU: device functions ask the device for its compute
    # capability, which is given here.
    import types
    import numba.cuda.dispatcher
    import numpy as np
    from numba import from_dtype, types as nb
    from numba.cuda.compiler import compile_cuda
    from minitorch import cuda_ops, operators as ops

    numba.cuda.dispatcher.get_current_device = lambda: types.SimpleNamespace(
        compute_capability=(9, 0))
    ints = nb.int64[::1]
    unary = ["neg", "abs", "sign", "floor", "ceil", "exp", "log", "sqrt", "sin", "cos", "tanh",
             "sigmoid", "relu", "log1p", "finite_or_zero", "erf", "reciprocal", "trunc",
             "logical_not"]
    binary = ["add", "sub", "mul", "div", "float_floordiv", "float_truncdiv", "float_mod",
              "float_pow", "maximum", "minimum", "lt", "le", "gt", "ge", "eq", "ne",
              "logical_and", "logical_or", "same_or_both_nan"]
    integer = ["int_floordiv", "int_truncdiv", "int_mod", "int_pow", "bitwise_and",
               "bitwise_or", "bitwise_xor"]

    def kernel_of(launch):
        return next(c.cell_contents.py_func for c in launch.__closure__
                    if hasattr(c.cell_contents, "py_func"))

    def lower(fn, dtype, tensors):
        # kernel `fn` on `tensors` storages of `dtype`, each with its shape and strides, and
        # an int64 (the size, reduce_dim or first batch)
        storage = from_dtype(np.dtype(dtype))[::1]
        compile_cuda(fn, nb.void, (storage, ints, ints) * tensors + (nb.int64,), cc=(9, 0))

    for dtype in ["float32", "float64", "int32", "int64", "bool"]:
        numeric = dtype != "bool"
        for name in unary if numeric else ["logical_not"]:
            lower(kernel_of(cuda_ops.tensor_map(getattr(ops, name))), dtype, 2)
        for name in (binary + integer * ("int" in dtype)) if numeric else ["logical_and"]:
            lower(kernel_of(cuda_ops.tensor_zip(getattr(ops, name))), dtype, 3)
        for name in ["add", "mul", "maximum", "minimum"] if numeric else ["logical_or"]:
            fn = cuda_ops._scalar(getattr(ops, name))
            lower(cuda_ops.reduce_kernel(fn, from_dtype(np.dtype(dtype))), dtype, 2)
        lower(cuda_ops.matmul_kernel(from_dtype(np.dtype(dtype))), dtype, 3)
    print("ok")
"""


@pytest.mark.slow
def test_every_kernel_compiles_for_a_real_gpu():
    """The simulator runs kernels as Python, so it accepts code that a GPU does not compile
    (NumPy's floor, say): numba's CUDA compiler types and lowers every kernel here, with every
    scalar function and dtype, without a GPU (in a process without the simulator)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(LOWER_EVERY_KERNEL)],
                          cwd=ROOT, env={**os.environ, "NUMBA_ENABLE_CUDASIM": "0"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
