"""The `cuda` backend's kernels: map, zip, reduce and matmul on an NVIDIA GPU with numba.cuda.

Each takes the arguments of the `simple` kernel of `tensor_ops`, with every storage, shape
and strides a device array (`numba.cuda.to_device`), and launches a grid of GPU threads:

- map and zip: one thread per element of the output;
- reduce: one block of threads per element of the output; its threads fold parts of the
  reduced dimension, then combine their results in shared memory;
- matmul: one block per TPB x TPB tile of the output; its threads copy tiles of `a` and `b`
  into shared memory together, then each computes one output from them.

Without a GPU, set NUMBA_ENABLE_CUDASIM=1 before numba is imported: the CUDA simulator runs
the same kernels as Python, each GPU thread a Python thread (slow: keep tensors small).
"""

import functools
import math

import numba
from numba import cuda

from . import fast_ops
from .fast_ops import written
from .tensor_data import shape_size

if numba.config.ENABLE_CUDASIM:
    from . import cuda_simulator

    cuda_simulator.repair()

# The tasks students write here, and the functions that hold them (in error messages)
TASKS = {"map": ("6.1", "tensor_map"), "zip": ("6.2", "tensor_zip"),
         "reduce": ("6.3", "reduce_kernel"), "matmul": ("6.4", "matmul_kernel")}

THREADS = 256  # threads per block of map, zip and reduce, at most (a power of two)
# The side of matmul's tiles: TPB x TPB threads per block (on the simulator, where every
# GPU thread is a Python thread, smaller tiles, which small tests then cross more often)
TPB = 4 if numba.config.ENABLE_CUDASIM else 16
MAX_GRID_Z = 65535  # the most blocks a grid has along z (matmul's batches)


def _device(fn):
    """`fn` as a CUDA device function: a function that kernels call."""
    return cuda.jit(device=True)(fn)


def _gpu_trunc(x):
    """`x` rounded toward zero: the operator's `int(x)` would overflow on the GPU."""
    if math.isinf(x) or x != x:
        return x
    return math.copysign(math.floor(abs(x)), x)  # (the simulator's float32 has no trunc)


# `operators` written for Python numbers where the GPU needs another form (on the GPU,
# math.floor and math.ceil return floats, as the operators want; NumPy's do not compile)
_GPU_FORMS = {"float_pow": fast_ops._ieee_float_pow, "trunc": _gpu_trunc}


def _scalar(fn):
    """The device-function twin of `fn`, a scalar function of `operators`."""
    return fast_ops.compiled_scalar(fn, _device, _GPU_FORMS)


# The storage position of the `ordinal`-th element of the output in a tensor broadcast to it
# (the fast backend's helper, compiled for the GPU).
broadcast_position = _device(getattr(fast_ops.broadcast_position, "py_func",
                                     fast_ops.broadcast_position))


class _Stub:
    """A kernel whose task is still to do, launched as plain Python: it raises the task's
    NotImplementedError (compiled for a GPU, its `raise` would be silently skipped)."""

    def __init__(self, fn):
        self.fn = fn

    def __getitem__(self, launch_configuration):
        return self.fn


def _kernel(fn):
    """`fn` compiled as a CUDA kernel (on its first launch), or a `_Stub` while it is one."""
    return cuda.jit(fn) if written(fn) else _Stub(fn)


class _PerDtype(dict):
    """The kernels `build(dtype)` makes, one per storage dtype, each built once: the element
    type of a shared array must be known when its kernel compiles."""

    def __init__(self, build):
        super().__init__()
        self.build = build

    def __missing__(self, dtype):
        kernel = self[dtype] = _kernel(self.build(numba.from_dtype(dtype)))
        return kernel


_host_shapes = {}  # id of a device array -> (the array, its values as a tuple)


def _on_host(shape):
    """The values of `shape`, a device array, as a tuple of ints: the grid of a launch
    depends on them. Copying waits for the GPU, so each array is copied once (backends
    reuse the device arrays of a layout) and kept, so that its id stays its own."""
    found = _host_shapes.get(id(shape))
    if found is None:
        if len(_host_shapes) > 4096:
            _host_shapes.clear()
        found = _host_shapes[id(shape)] = shape, tuple(int(s) for s in shape.copy_to_host())
    return found[1]


def _grid(size):
    """(blocks, threads) of a launch with one thread per element of `size` (> 0)."""
    threads = min(THREADS, size)
    return (size + threads - 1) // threads, threads


def _one_thread_per_element(kernel):
    """A launcher of `kernel` on the arguments of a `tensor_ops` map or zip kernel, plus the
    size of the output, with one thread for each element of the output."""

    def launch(out, out_shape, out_strides, *inputs):
        size = shape_size(_on_host(out_shape))
        if size:
            kernel[_grid(size)](out, out_shape, out_strides, *inputs, size)

    return launch


def tensor_map(fn):
    """A GPU kernel applying `fn` to each element of `in_storage`, broadcast to `out_shape`
    (the arguments of `tensor_ops.tensor_map`)."""
    fn = _scalar(fn)

    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides, size):
        """Thread `i` of the grid writes element `i` (in row-major order) of `out`, which has
        `size` elements; the grid may have more threads than that."""
        # BEGIN SOLUTION 6.1
        i = cuda.grid(1)
        if i < size:
            value = in_storage[broadcast_position(i, out_shape, in_shape, in_strides)]
            out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(value)
        # END SOLUTION

    return _one_thread_per_element(_kernel(_map))


def tensor_zip(fn):
    """A GPU kernel writing `fn(a, b)` for the broadcast elements of `a` and `b` (the
    arguments of `tensor_ops.tensor_zip`)."""
    fn = _scalar(fn)

    def _zip(out, out_shape, out_strides, a_storage, a_shape, a_strides,
             b_storage, b_shape, b_strides, size):
        """Thread `i` of the grid writes the `i`-th element (row-major) of `out`, as in map."""
        # BEGIN SOLUTION 6.2
        i = cuda.grid(1)
        if i < size:
            a = a_storage[broadcast_position(i, out_shape, a_shape, a_strides)]
            b = b_storage[broadcast_position(i, out_shape, b_shape, b_strides)]
            out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(a, b)
        # END SOLUTION

    return _one_thread_per_element(_kernel(_zip))


def reduce_kernel(fn, dtype):
    """The kernel folding storages of `dtype` (a numba type) with `fn` (a device function)."""

    def _reduce(out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim):
        """Block `b` folds the elements behind the `b`-th element of `out` into it. Its
        threads, a power of two, fold every so many elements, then pairs of results."""
        # BEGIN SOLUTION 6.3
        folded = cuda.shared.array(THREADS, dtype)
        t, threads = cuda.threadIdx.x, cuda.blockDim.x
        count, step = a_shape[reduce_dim], a_strides[reduce_dim]
        # out's index with 0 along reduce_dim: the first element to fold, in `a`
        start = broadcast_position(cuda.blockIdx.x, out_shape, out_shape, a_strides)
        if t < count:  # thread t folds elements t, t + threads, t + 2 * threads, ...
            acc = a_storage[start + t * step]
            for k in range(t + threads, count, threads):
                acc = fn(acc, a_storage[start + k * step])
            folded[t] = acc
        cuda.syncthreads()
        # a tree: each round, thread t of the first half folds in the result at t + half
        half = threads // 2
        while half > 0:
            if t < half and t + half < count:
                folded[t] = fn(folded[t], folded[t + half])
            cuda.syncthreads()
            half //= 2
        if t == 0 and count > 0:
            at = broadcast_position(cuda.blockIdx.x, out_shape, out_shape, out_strides)
            out[at] = fn(out[at], folded[0])
        # END SOLUTION

    return _reduce


def tensor_reduce(fn):
    """A GPU kernel folding `a` along `reduce_dim` with `fn` into `out`, which arrives holding
    the start value (the arguments of `tensor_ops.tensor_reduce`)."""
    kernels = _PerDtype(functools.partial(reduce_kernel, _scalar(fn)))

    def launch(out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim):
        size = shape_size(_on_host(out_shape))
        if size:
            count = _on_host(a_shape)[reduce_dim]
            threads = min(THREADS, 1 << max(count - 1, 0).bit_length())  # a power of two
            kernels[out.dtype][size, threads](out, out_shape, out_strides, a_storage, a_shape,
                                              a_strides, reduce_dim)

    return launch


def matmul_kernel(dtype):
    """The kernel of matrix products of storages of `dtype` (a numba type)."""

    def _matmul(out, out_shape, out_strides, a_storage, a_shape, a_strides,
                b_storage, b_shape, b_strides, first_batch):
        """Block (x, y, z) computes the tile at rows y * TPB.., columns x * TPB.. of matrix
        `first_batch + z` of `out`; its thread (tx, ty) the element at row + ty, column + tx.
        `out` arrives zeroed and contiguous."""
        # BEGIN SOLUTION 6.4
        a_tile = cuda.shared.array((TPB, TPB), dtype)
        b_tile = cuda.shared.array((TPB, TPB), dtype)
        nd = len(out_shape)
        rows, cols, inner = out_shape[nd - 2], out_shape[nd - 1], a_shape[nd - 1]
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        i, j = cuda.blockIdx.y * TPB + ty, cuda.blockIdx.x * TPB + tx
        first = (first_batch + cuda.blockIdx.z) * rows * cols  # the ordinal of out[z, 0, 0]
        a_row = broadcast_position(first, out_shape, a_shape, a_strides) + i * a_strides[nd - 2]
        b_col = broadcast_position(first, out_shape, b_shape, b_strides) + j * b_strides[nd - 1]
        acc = dtype(0)
        for k0 in range(0, inner, TPB):
            # each thread copies one element of each tile (0 outside the matrices) ...
            if i < rows and k0 + tx < inner:
                a_tile[ty, tx] = a_storage[a_row + (k0 + tx) * a_strides[nd - 1]]
            else:
                a_tile[ty, tx] = 0
            if k0 + ty < inner and j < cols:
                b_tile[ty, tx] = b_storage[b_col + (k0 + ty) * b_strides[nd - 2]]
            else:
                b_tile[ty, tx] = 0
            cuda.syncthreads()
            # ... and once all are copied, each thread adds its row of a_tile times its column
            for k in range(TPB):
                acc += a_tile[ty, k] * b_tile[k, tx]
            cuda.syncthreads()  # (before the next tiles overwrite these)
        if i < rows and j < cols:
            out[first + i * cols + j] = acc
        # END SOLUTION

    return _matmul


_matmul_kernels = _PerDtype(matmul_kernel)


def tensor_matmul(out, out_shape, out_strides, a_storage, a_shape, a_strides,
                  b_storage, b_shape, b_strides):
    """Batched matrix product `out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]` on the GPU
    (the arguments and semantics of `tensor_ops.tensor_matmul`)."""
    shape = _on_host(out_shape)
    rows, cols, batches = shape[-2], shape[-1], shape_size(shape[:-2])
    if rows * cols * batches == 0:
        return
    kernel = _matmul_kernels[out.dtype]
    tiles = ((cols + TPB - 1) // TPB, (rows + TPB - 1) // TPB)
    for first in range(0, batches, MAX_GRID_Z):
        kernel[(*tiles, min(MAX_GRID_Z, batches - first)), (TPB, TPB)](
            out, out_shape, out_strides, a_storage, a_shape, a_strides, b_storage, b_shape,
            b_strides, first)


# ----- kernels of the backend's own (not tasks): selection and index ranges ------------------
@cuda.jit
def _where(out, out_shape, out_strides, c_storage, c_shape, c_strides, a_storage, a_shape,
           a_strides, b_storage, b_shape, b_strides, size):
    i = cuda.grid(1)
    if i < size:
        at = broadcast_position(i, out_shape, out_shape, out_strides)
        if c_storage[broadcast_position(i, out_shape, c_shape, c_strides)]:
            out[at] = a_storage[broadcast_position(i, out_shape, a_shape, a_strides)]
        else:
            out[at] = b_storage[broadcast_position(i, out_shape, b_shape, b_strides)]


def tensor_where(out, out_shape, out_strides, *operands):
    """`out` = a where the condition holds, else b (operands: condition, a, b, each as
    storage, shape, strides, broadcast to `out`)."""
    size = shape_size(_on_host(out_shape))
    _where[_grid(size)](out, out_shape, out_strides, *operands, size)


@_device
def _position_along(i, shape, dim, k, strides):
    """The storage position, in a tensor of `strides`, of the element whose index is that
    of the `i`-th element (row-major) of `shape`, with `k` along `dim`."""
    position = 0
    for d in range(len(shape) - 1, -1, -1):
        coordinate = i % shape[d]
        i //= shape[d]
        if len(strides):  # (a 0-d tensor is gathered from as if it were 1-d)
            position += (k if d == dim else coordinate) * strides[d]
    return position


@_device
def _checked_index(idx_storage, i, idx_shape, idx_strides, size, flag):
    """The `i`-th index of `idx`, or -1 after setting `flag` when it lies outside [0, size)."""
    k = idx_storage[broadcast_position(i, idx_shape, idx_shape, idx_strides)]
    if k < 0 or k >= size:
        flag[0] = 1
        return -1
    return k


@cuda.jit
def _gather(out, out_shape, out_strides, a_storage, a_shape, a_strides, idx_storage,
            idx_shape, idx_strides, dim, flag, size):
    i = cuda.grid(1)
    if i < size:
        extent = a_shape[dim] if len(a_shape) else 1
        k = _checked_index(idx_storage, i, idx_shape, idx_strides, extent, flag)
        at = broadcast_position(i, out_shape, out_shape, out_strides)
        if k < 0:
            out[at] = 0
        else:
            out[at] = a_storage[_position_along(i, idx_shape, dim, k, a_strides)]


def tensor_gather(out, out_shape, out_strides, a_storage, a_shape, a_strides, idx_storage,
                  idx_shape, idx_strides, dim, flag):
    """`out[i][j]` = `a[index[i][j]][j]` for `dim` 0 (and so on): `Tensor.gather`. A bad
    index sets `flag` (see `cuda_memory`) and gives 0."""
    size = shape_size(_on_host(out_shape))
    _gather[_grid(size)](out, out_shape, out_strides, a_storage, a_shape, a_strides,
                         idx_storage, idx_shape, idx_strides, dim, flag, size)


@cuda.jit
def _scatter_add(out, out_shape, out_strides, v_storage, v_shape, v_strides, idx_storage,
                 idx_shape, idx_strides, dim, flag, size):
    i = cuda.grid(1)
    if i < size:
        extent = out_shape[dim] if len(out_shape) else 1
        k = _checked_index(idx_storage, i, idx_shape, idx_strides, extent, flag)
        if k >= 0:
            value = v_storage[broadcast_position(i, idx_shape, v_shape, v_strides)]
            cuda.atomic.add(out, _position_along(i, idx_shape, dim, k, out_strides), value)


def tensor_scatter_add(out, out_shape, out_strides, v_storage, v_shape, v_strides,
                       idx_storage, idx_shape, idx_strides, dim, flag):
    """Add `values[i][j]` to `out[index[i][j]][j]` for `dim` 0 (and so on), atomically: two
    threads may add to one element. A bad index sets `flag` and adds nothing."""
    size = shape_size(_on_host(idx_shape))
    _scatter_add[_grid(size)](out, out_shape, out_strides, v_storage, v_shape, v_strides,
                              idx_storage, idx_shape, idx_strides, dim, flag, size)


@cuda.jit
def _fill_range(out, size):
    i = cuda.grid(1)
    if i < size:
        out[i] = i


def fill_range(out):
    """`out[i] = i` for the contiguous GPU array `out`."""
    _fill_range[_grid(out.size)](out, out.size)
