"""The `fast` backend itself: its parallel kernels, choosing backends, debugging without the
JIT, the disk cache and its error messages. (The tensor and autograd suites run on both
backends through conftest.py; tensors there are small, so they exercise the serial kernels.)
"""

import contextlib
import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_shapes, shapes, tensors_from

import minitorch
from minitorch import backends, fast_ops
from minitorch import operators as ops
from minitorch.tensor_data import TensorData

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = backends.get_backend("fast")


@contextlib.contextmanager
def all_parallel():
    """New tensors are on the fast backend, and every kernel call takes the parallel twin,
    however small its tensors."""
    before = fast_ops.PARALLEL_MIN_WORK, minitorch.get_default_backend()
    fast_ops.PARALLEL_MIN_WORK = 0
    minitorch.set_default_backend("fast")
    try:
        yield
    finally:
        fast_ops.PARALLEL_MIN_WORK = before[0]
        minitorch.set_default_backend(before[1])


def fast(array):
    return minitorch.tensor(array, backend="fast")


# ----- the parallel kernels on any layout -------------------------------------------------------
@given(st.data())
def test_parallel_map_and_zip_match_numpy_on_any_layout(data):
    with all_parallel():
        a_shape, b_shape = data.draw(broadcastable_shapes(2))
        a = data.draw(arrays("float64", a_shape, -3, 3))
        b = data.draw(arrays("float64", b_shape, -3, 3))
        (ta, _), (tb, _) = data.draw(tensors_from(a)), data.draw(tensors_from(b))
        np.testing.assert_allclose((ta * tb + ta).numpy(), a * b + a, rtol=1e-12)
        np.testing.assert_allclose(ta.exp().numpy(), np.exp(a), rtol=1e-12)


@given(st.data())
def test_parallel_reduce_matches_numpy_over_every_dim(data):
    with all_parallel():
        shape = data.draw(shapes(min_dims=1))
        a = data.draw(arrays("int64", shape, -50, 50))
        t, _ = data.draw(tensors_from(a))
        for dim in range(len(shape)):
            np.testing.assert_array_equal(t.sum(dim).numpy(), a.sum(dim))
            if a.shape[dim]:
                np.testing.assert_array_equal(t.amax(dim).numpy(), a.max(dim))


@given(st.data())
def test_parallel_matmul_matches_numpy_with_broadcast_batches(data):
    with all_parallel():
        (batch_a, batch_b) = data.draw(broadcastable_shapes(2, max_dims=2))
        n, k, m = (data.draw(st.integers(0, 5)) for _ in range(3))
        a = data.draw(arrays("float32", batch_a + (n, k), -2, 2))
        b = data.draw(arrays("float32", batch_b + (k, m), -2, 2))
        (ta, _), (tb, _) = data.draw(tensors_from(a)), data.draw(tensors_from(b))
        got = ta @ tb
        np.testing.assert_allclose(got.numpy(), a @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n", [1, 31, 32, 33, 129, 300])
def test_matmul_tiles_cover_every_row_and_column(n):
    """Sizes around the tile edges, on contiguous and transposed operands."""
    rng = np.random.default_rng(n)
    a, b = rng.standard_normal((n, n + 3)), rng.standard_normal((n + 3, n + 257))
    np.testing.assert_allclose((fast(a) @ fast(b)).numpy(), a @ b, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose((fast(b).T @ fast(a).T).numpy(), b.T @ a.T, rtol=1e-10,
                               atol=1e-10)


# ----- task 4.5: the packed, register-blocked matrix product ------------------------------------
def blocked(a, b, parallel):
    """`a @ b` by task 4.5's kernel, called directly (not through the backend, which may copy
    `b`), for tensors of the same rank; its serial or its parallel twin."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    out = TensorData(np.zeros(int(np.prod(shape)), dtype=a._data.storage.dtype), shape)
    fast_ops.blocked_matmul(1 << 60 if parallel else 0, *FAST._arguments([out, a._data, b._data]))
    return out.numpy()


def test_a_at_b_runs_the_blocked_kernel_once_it_is_written():
    assert not fast_ops.blocked_matmul.stub
    assert fast_ops.tensor_matmul is fast_ops.blocked_matmul
    assert fast_ops.TASKS["matmul"] == ("4.5", "micro_kernel")


@given(st.data())
def test_blocked_matmul_matches_numpy_on_any_layout_and_batch(data):
    batch_a, batch_b = data.draw(broadcastable_shapes(2, max_dims=2))
    rank = max(len(batch_a), len(batch_b))
    batch_a = (1,) * (rank - len(batch_a)) + batch_a  # the kernel takes operands of one rank
    batch_b = (1,) * (rank - len(batch_b)) + batch_b
    n, k, m = (data.draw(st.integers(0, 9)) for _ in range(3))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    a = data.draw(arrays(dtype, batch_a + (n, k), -2, 2))
    b = data.draw(arrays(dtype, batch_b + (k, m), -2, 2))
    (ta, _), (tb, _) = data.draw(tensors_from(a)), data.draw(tensors_from(b))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(blocked(ta, tb, data.draw(st.booleans())), a @ b, rtol=tol,
                               atol=tol)


@pytest.mark.parametrize("n, k, m", [
    (1, 1, 1), (1, 1, 300), (300, 1, 1), (1, 300, 1), (7, 13, 5), (130, 257, 65),
    (5, 1030, 9), (261, 9, 530), (0, 4, 4), (4, 0, 4), (4, 4, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_blocked_matmul_covers_every_tile_panel_and_block(n, k, m, dtype):
    """Sizes that are no multiples of the tile (4 x 4), more than one block of k (_KC = 512),
    of rows (_MC = 128) and of columns (_NC = 256); contiguous, transposed and strided."""
    rng = np.random.default_rng(n * k + m)
    a = rng.standard_normal((n, k)).astype(dtype)
    b = rng.standard_normal((2 * k, m)).astype(dtype)[::2]
    tol = 1e-4 if dtype == "float32" else 1e-11
    layouts = [(fast(a), fast(b)), (fast(a.T.copy()).T, fast(b.T.copy()).T),
               (fast(np.repeat(a, 3, axis=1))[:, ::3], fast(np.repeat(b, 2, axis=0))[::2])]
    for ta, tb in layouts:
        for parallel in (False, True):
            np.testing.assert_allclose(blocked(ta, tb, parallel), a @ b, rtol=tol, atol=tol)


def test_blocked_matmul_of_broadcast_batches_and_integers():
    rng = np.random.default_rng(5)
    a = rng.integers(-9, 10, size=(3, 1, 33, 70))
    b = rng.integers(-9, 10, size=(1, 4, 70, 17))
    for parallel in (False, True):
        np.testing.assert_array_equal(blocked(fast(a), fast(b), parallel), a @ b)
        batch = fast(a[0, 0]).expand(5, 33, 70)  # one matrix, stride 0 along the batch
        np.testing.assert_array_equal(blocked(batch, fast(b[0, :1]), parallel),
                                      np.broadcast_to(a[0, 0] @ b[0, 0], (5, 33, 17)))


def test_large_tensors_use_every_core_and_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((700, 400)).astype(np.float32)
    t = fast(x)
    assert x.size >= fast_ops.PARALLEL_MIN_WORK
    np.testing.assert_allclose((t.T * 2 + 1).numpy(), x.T * 2 + 1, rtol=1e-6)
    # float32 sums: within float32's rounding of the exact (float64) sums, relative to the
    # size of what is summed (a sum that cancels to near 0 keeps an absolute error)
    for dim in (0, 1):
        exact = x.sum(dim, dtype=np.float64)
        bound = 1e-6 * np.abs(x).sum(dim, dtype=np.float64)
        assert np.all(np.abs(t.sum(dim).numpy() - exact) <= bound)


def test_float32_sums_do_not_stagnate():
    """A running float32 total stops growing at 2**24 (adding 1 rounds away); sums fold in
    blocks, so every partial total stays small and exact."""
    n = 2**24 + 2**12
    assert fast(np.ones(n, dtype=np.float32)).sum().item() == n
    assert fast(np.ones((n // 64, 64), dtype=np.float32)).sum(0).numpy().tolist() == \
        [n // 64] * 64


def test_integer_division_by_zero_is_an_error_even_in_parallel():
    with all_parallel():
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fast(np.arange(10)) // fast(np.zeros(10, dtype=np.int64))


def test_float_errors_give_ieee_values():
    x = fast(np.array([0.0, -8.0, 2.0, 1e300]))
    np.testing.assert_array_equal((x ** -1.0).numpy()[:1], [np.inf])
    assert np.isnan((x ** (1 / 3)).numpy()[1])
    assert (x.floor().numpy()[3], x.exp().numpy()[3]) == (1e300, np.inf)


# ----- choosing a backend --------------------------------------------------------------------
def test_the_default_backend_is_fast_once_its_kernels_are_written(monkeypatch):
    assert backends._fast_written()
    stub = types.FunctionType(compile("def f(fn):\n    raise NotImplementedError('Task 4.2: x')",
                                      "<stub>", "exec").co_consts[0], {})
    monkeypatch.setattr(fast_ops, "tensor_zip", stub)
    assert not backends._fast_written()


def test_set_default_backend_chooses_the_backend_of_new_tensors():
    before = minitorch.get_default_backend()
    try:
        minitorch.set_default_backend("simple")
        assert minitorch.ones(2).backend.name == "simple"
        minitorch.set_default_backend("fast")
        assert minitorch.ones(2).backend.name == "fast"
        assert (minitorch.ones(2) + 1).backend.name == "fast"
    finally:
        minitorch.set_default_backend(before)
    with pytest.raises(ValueError,
                       match="unknown backend 'gpu': minitorch has simple, fast and cuda"):
        minitorch.set_default_backend("gpu")


@pytest.mark.parametrize("make", [
    lambda **kw: minitorch.tensor([1.0, 2.0], **kw), lambda **kw: minitorch.zeros(2, **kw),
    lambda **kw: minitorch.ones(2, 3, **kw), lambda **kw: minitorch.empty(2, **kw),
    lambda **kw: minitorch.full((2,), 7, **kw), lambda **kw: minitorch.eye(3, **kw),
    lambda **kw: minitorch.arange(4, **kw), lambda **kw: minitorch.linspace(0, 1, 5, **kw),
    lambda **kw: minitorch.rand(2, **kw), lambda **kw: minitorch.randn(2, **kw),
    lambda **kw: minitorch.randint(0, 5, (3,), **kw), lambda **kw: minitorch.randperm(4, **kw),
])
def test_creation_functions_take_a_backend(make):
    for name in ("simple", "fast"):
        assert make(backend=name).backend.name == name


def test_like_functions_keep_the_backend_of_their_input():
    x = minitorch.ones(2, backend="simple")
    for like in (minitorch.zeros_like, minitorch.ones_like, minitorch.rand_like):
        assert like(x).backend.name == "simple"
    assert minitorch.full_like(x, 3.0).backend.name == "simple"


def test_a_tensor_moves_between_backends_and_gradients_follow():
    x = minitorch.tensor([1.0, 2.0, 3.0], backend="simple", requires_grad=True)
    y = x.to(backend="fast")
    assert (y.backend.name, y.grad_fn.name()) == ("fast", "ToCopyBackward0")
    (y * y).sum().backward()
    assert x.grad.backend.name == "simple"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_a_module_moves_between_backends_with_its_parameters():
    model = minitorch.nn.Linear(3, 2).to(backend="fast")
    model.to(backend="simple")
    assert {p.backend.name for p in model.parameters()} == {"simple"}
    assert all(isinstance(p, minitorch.nn.Parameter) for p in model.parameters())
    out = model(minitorch.ones(4, 3, backend="simple"))
    out.sum().backward()
    assert out.backend.name == model.weight.grad.backend.name == "simple"


def test_mixing_backends_in_one_operation_is_a_clear_error():
    a, b = minitorch.ones(2, 2).to(backend="simple"), minitorch.ones(2, 2).to(backend="fast")
    with pytest.raises(RuntimeError, match=r"same backend.*'fast' and 'simple' \(in add\)"):
        a + b
    with pytest.raises(RuntimeError, match=r"same backend.*\(in matmul\)"):
        a @ b


def run_python(code, **env):
    """Run `code` in a fresh interpreter at the repository root; its stdout."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_minitorch_backend_environment_variable_chooses_the_default():
    assert run_python("import minitorch; print(minitorch.get_default_backend())",
                      MINITORCH_BACKEND="simple").strip() == "simple"


@pytest.mark.slow
def test_importing_minitorch_compiles_nothing():
    out = run_python("""
        import minitorch
        from minitorch import fast_ops
        kernels = [fast_ops.tensor_matmul.serial, fast_ops.tensor_matmul.parallel,
                   fast_ops.shape_size, fast_ops.broadcast_position]
        print(sum(len(k.signatures) for k in kernels))
    """)
    assert out.strip() == "0"


@pytest.mark.slow
def test_the_second_process_loads_kernels_from_the_disk_cache():
    code = """
        import minitorch
        from minitorch import fast_ops
        a = minitorch.ones(3, 4, backend="fast")
        (a @ a.T + a.sum(1, keepdim=True)).exp()
        kernels = [fast_ops.tensor_matmul.serial] + [
            k.serial for _, k in minitorch.backends.get_backend("fast")._kernels.values()]
        print(sum(sum(k.stats.cache_misses.values()) for k in kernels))
    """
    run_python(code)
    assert run_python(code).strip() == "0"


@pytest.mark.slow
def test_without_the_jit_the_same_code_runs_as_python():
    out = run_python("""
        import types
        import numpy as np
        import minitorch
        from minitorch import fast_ops
        assert isinstance(fast_ops.tensor_matmul.serial, types.FunctionType)
        a = np.arange(12.0).reshape(3, 4)
        t = minitorch.tensor(a, backend="fast")
        assert np.allclose((t @ t.T).numpy(), a @ a.T)
        assert np.allclose(t.T.exp().sum(0).numpy(), np.exp(a.T).sum(0))
        print("ok")
    """, MINITORCH_DISABLE_JIT="1")
    assert out.strip() == "ok"


# ----- errors from compiled code -----------------------------------------------------------------
def test_a_kernel_that_does_not_compile_names_its_task_and_operation():
    def tensor_map(fn):
        def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
            out[0] = {"not": "compilable"}  # a dict cannot go into an array

        return fast_ops.Kernel(_map)

    module = types.SimpleNamespace(tensor_map=tensor_map, TASKS=fast_ops.TASKS)
    broken = backends.CompiledBackend("fast", module)
    data = TensorData.from_array(np.ones(3))
    with pytest.raises(RuntimeError) as error:
        broken.map(ops.neg, data, minitorch.float64)
    message = str(error.value)
    assert "Task 4.1: `tensor_map` in minitorch/fast_ops.py did not compile" in message
    assert "of `neg` on float64, float64 storages" in message
    assert "MINITORCH_DISABLE_JIT=1" in message


def test_a_task_still_to_do_raises_its_own_error_without_compiling():
    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
        raise NotImplementedError("Task 4.1: tensor_map in minitorch/fast_ops.py")

    kernel = fast_ops.Kernel(_map)
    with pytest.raises(NotImplementedError, match="Task 4.1"):
        kernel(1 << 20, np.ones(3), np.array([3]), np.array([1]), np.ones(3), np.array([3]),
               np.array([1]))
    assert kernel.stub and not kernel.parallel.signatures and not kernel.serial.signatures


def test_a_kernel_that_raises_not_implemented_for_a_case_is_compiled_and_runs_once():
    """A finished kernel may raise NotImplementedError for a case it refuses: that is no stub.
    It runs compiled, once (a kernel that adds into `out` shows a second run)."""
    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
        if len(out_shape) > 8:
            raise NotImplementedError("more than 8 dimensions")
        for i in range(len(out)):
            out[i] += in_storage[i]

    kernel = fast_ops.Kernel(_map)
    out = np.zeros(3)
    kernel(0, out, np.array([3]), np.array([1]), np.ones(3), np.array([3]), np.array([1]))
    assert out.tolist() == [1.0, 1.0, 1.0]
    assert not kernel.stub and kernel.serial.signatures


def test_a_stub_runs_once_as_python():
    """A stub whose raise is not reached (a student's code around it) runs once, as Python."""
    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
        for i in range(len(out)):
            out[i] += in_storage[i]
        if len(out) == 0:
            raise NotImplementedError("Task 4.1: tensor_map in minitorch/fast_ops.py")

    kernel = fast_ops.Kernel(_map)
    out = np.zeros(3)
    kernel(0, out, np.array([3]), np.array([1]), np.ones(3), np.array([3]), np.array([1]))
    assert out.tolist() == [1.0, 1.0, 1.0]
    assert kernel.stub and not kernel.serial.signatures


def test_a_kernel_whose_part_is_a_stub_raises_that_part_s_task():
    def part(x):
        raise NotImplementedError("Task 4.5: micro_kernel in minitorch/fast_ops.py")

    def _kernel(out):
        part(out)

    kernel = fast_ops.Kernel(_kernel, parts=(part,))
    with pytest.raises(NotImplementedError, match="Task 4.5: micro_kernel"):
        kernel(0, np.zeros(1))
    assert kernel.stub and not fast_ops.written(part) and fast_ops.written(_kernel)


@pytest.mark.parametrize("rows, cols", [(15, 63), (16, 64), (17, 65), (33, 129)])
def test_map_and_zip_tiles_cover_every_element(rows, cols):
    """Inputs that are neither contiguous nor dense (a column slice, a transposed operand
    beside a contiguous one) go through the tiles of rows x columns."""
    rng = np.random.default_rng(rows)
    a, b = rng.standard_normal((rows, 2 * cols)), rng.standard_normal((cols, rows))
    sliced = fast(a)[:, ::2]
    np.testing.assert_array_equal((-sliced).numpy(), -a[:, ::2])
    np.testing.assert_array_equal((sliced + fast(b).T).numpy(), a[:, ::2] + b.T)
