"""The `fast` backend's kernels: map, zip, reduce and matmul compiled with Numba.

They take the same arguments as the `simple` kernels of `tensor_ops` (storages, shapes and
strides; shapes and strides arrive as NumPy int64 arrays) and compute the same results, but
Numba compiles them to machine code (`njit`) and spreads their outer loop over the CPU's
cores (`prange`). Two ideas make them fast:

- when input and output have the same shape and are both contiguous, element `i` of the
  output comes from element `i` of the input: one flat loop, no index arithmetic;
- otherwise the work is cut into rows along the last dimension: the position of a row's
  first element is computed once, and the row is walked with a fixed step per tensor
  (in tiles of a few rows at a time, so that a transposed input is read from the cache).

Set `MINITORCH_DISABLE_JIT=1` (or Numba's `NUMBA_DISABLE_JIT=1`) before importing minitorch
to run the very same code as plain Python: `print()` and debuggers work inside the kernels.
Compiled kernels are cached on disk, so a new process does not compile them again.
"""

import dis
import hashlib
import os
import re
import types

import numba
import numpy as np
from numba import prange
from numba.core.caching import FunctionCache

from . import operators

JIT_DISABLED = any(os.environ.get(name, "0") not in ("", "0")
                   for name in ("MINITORCH_DISABLE_JIT", "NUMBA_DISABLE_JIT"))

# The tasks students write here, and the kernels that hold them (in error messages); matmul's
# is set below, where the kernel of `a @ b` is chosen
TASKS = {"map": ("4.1", "tensor_map"), "zip": ("4.2", "tensor_zip"),
         "reduce": ("4.3", "tensor_reduce")}


def _jit(fn, cache=False, **options):
    """`fn` compiled in nopython mode with IEEE float errors (inf and nan, not exceptions),
    cached on disk where Numba finds a writable place for its cache."""
    if JIT_DISABLED:
        return fn
    if cache:
        try:
            return numba.njit(error_model="numpy", cache=True, **options)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            pass
    return numba.njit(error_model="numpy", **options)(fn)


# ----- helpers the kernels share: plain functions of ints and int arrays ---------------------
def _helper(fn):
    return _jit(fn, cache=True)


@_helper
def shape_size(shape):
    """The number of elements of a tensor of `shape`."""
    n = 1
    for s in shape:
        n *= s
    return n


@_helper
def is_contiguous(shape, strides):
    """True when `strides` are the row-major strides of `shape`."""
    expected = 1
    for d in range(len(shape) - 1, -1, -1):
        if shape[d] != 1 and strides[d] != expected:
            return False
        expected *= shape[d]
    return True


@_helper
def same_shape(a, b):
    if len(a) != len(b):
        return False
    for d in range(len(a)):
        if a[d] != b[d]:
            return False
    return True


@_helper
def broadcast_position(ordinal, out_shape, shape, strides):
    """The storage position, in a tensor of `shape` and `strides` broadcast to `out_shape`,
    of the `ordinal`-th element (row-major) of `out_shape`. With `shape` = `out_shape` it is
    the element's own position."""
    position = 0
    rest = np.int64(ordinal)  # a prange index may be unsigned: keep the arithmetic signed
    extra = len(out_shape) - len(shape)
    for d in range(len(out_shape) - 1, -1, -1):
        index = rest % out_shape[d]
        rest //= out_shape[d]
        if d >= extra and shape[d - extra] != 1:
            position += index * strides[d - extra]
    return position


@_helper
def row_length(shape):
    """The length of the rows the kernels walk: the size of the last dimension (1 for 0-d)."""
    return shape[len(shape) - 1] if len(shape) else 1


@_helper
def row_step(out_shape, shape, strides):
    """How far apart in storage consecutive elements of a row of `out_shape` are in a tensor of
    `shape` broadcast to it (0 where it is broadcast along the last dimension)."""
    if len(shape) == 0 or len(out_shape) == 0 or shape[len(shape) - 1] == 1:
        return 0
    return strides[len(strides) - 1]


# ----- the scalar functions, compiled ------------------------------------------------------------
def _ieee_float_pow(a, b):
    """`a ** b`; compiled with NumPy's error model it gives inf and nan instead of raising."""
    return a**b


def _ieee_floor(x):
    return np.floor(x)  # math.floor returns an int, which overflows for huge floats


def _ieee_ceil(x):
    return np.ceil(x)


def _ieee_trunc(x):
    return np.trunc(x)


# `operators` written for Python numbers where Numba needs another form
_COMPILED_FORMS = {"float_pow": _ieee_float_pow, "floor": _ieee_floor, "ceil": _ieee_ceil,
                   "trunc": _ieee_trunc}


def _compile_operators(jit, forms):
    """Every function of `operators`, compiled by `jit` (those named in `forms` in the form
    given there); calls between them go to compiled twins.

    The functions are rebuilt over a copy of the module's globals in which each operator
    name means its compiled version, because Numba cannot call plain Python functions.
    """
    namespace = dict(vars(operators))
    compiled = {}
    for name, fn in vars(operators).items():
        if isinstance(fn, types.FunctionType) and fn.__module__ == operators.__name__:
            source = forms.get(name, fn)
            twin = types.FunctionType(source.__code__, namespace if source is fn
                                      else source.__globals__, name, source.__defaults__)
            twin.__qualname__ = f"operators.{name}"
            compiled[name] = jit(twin)
    namespace.update(compiled)
    return compiled


_OPERATORS = {}  # the compiled operators, by the decorator that compiled them


def compiled_scalar(fn, jit=_helper, forms=_COMPILED_FORMS):
    """The compiled twin of a scalar function of `operators`, made by `jit` from `forms`
    where an operator needs another form for it: by default the fast backend's compiler and
    forms; the cuda backend passes its own. The twins of all the operators are made on the
    first call for each `jit`, each compiles when first used."""
    if JIT_DISABLED and jit is _helper:
        return fn
    if jit not in _OPERATORS:
        _OPERATORS[jit] = _compile_operators(jit, forms)
    twin = _OPERATORS[jit].get(getattr(fn, "__name__", ""))
    if twin is None or getattr(operators, fn.__name__, None) is not fn:
        raise TypeError(f"the compiled backends compile the functions of minitorch.operators, "
                        f"not {fn!r}")
    return twin


class _KernelCache(FunctionCache):
    """Numba's disk cache for a kernel built around a scalar function.

    Numba keys the cache of a closure by pickling the values it closes over, and a compiled
    function pickles differently in every process, so the cache would never hit. This key
    names the scalar function instead: its name, bytecode and the state of its source file.
    """

    def __init__(self, py_func, parallel):
        super().__init__(py_func)
        self._parallel = parallel

    def _index_key(self, sig, codegen):
        described = [f"parallel={self._parallel}"]
        for cell in self._py_func.__closure__ or ():
            value = cell.cell_contents
            fn = getattr(value, "py_func", value)
            code = getattr(fn, "__code__", None)
            if code is None:
                described.append(repr(value))
                continue
            stat = os.stat(code.co_filename)
            described.append(f"{fn.__module__}.{fn.__qualname__}:{code.co_code.hex()}:"
                             f"{stat.st_mtime_ns}:{stat.st_size}")
        own = self._py_func.__code__.co_code
        digest = hashlib.sha256("|".join(described).encode()).hexdigest()
        return sig, codegen.magic_tuple(), (hashlib.sha256(own).hexdigest(), digest)


# Below this much work (elements; for matmul, multiply-adds / 16, as its vectorised loop does
# many per step) a kernel runs on one core: waking the threads costs about 0.1 ms, more than
# they save on smaller tensors, and the one-core version compiles 3x faster.
PARALLEL_MIN_WORK = 1 << 18


class Kernel:
    """A kernel compiled twice, each on first use for each new set of argument types and
    cached on disk: `serial` for small tensors and `parallel`, over all cores, for large.
    `fastmath` options (e.g. {"contract"}: fused multiply-adds) speed up arithmetic loops."""

    def __init__(self, kernel, fastmath=False, parts=()):
        """`parts`: functions of a task of their own that `kernel` calls (task 4.5's
        micro-kernel): the kernel is a task still to do while one of them is."""
        self.py_func = kernel
        self.serial, self.parallel = (_compile(kernel, parallel, fastmath)
                                      for parallel in (False, True))
        # A task still to do (a stub that raises NotImplementedError) runs as Python: its
        # error then reads like any other, and nothing is compiled for it.
        self.stub = not all(written(fn) for fn in (kernel, *parts))

    def __call__(self, work, *args):
        """Run on `args`; `work` (elements or multiply-adds) chooses serial or parallel."""
        if self.stub:
            self.py_func(*args)  # raises the task's NotImplementedError
            return
        (self.parallel if work >= PARALLEL_MIN_WORK else self.serial)(*args)


# The message of the line `autograder release` writes where a student writes a task
_STUB_MESSAGE = re.compile(r"Task \d+\.\d+: ")


def written(fn):
    """False while `fn`, or a function defined in it, holds a task's stub: the line
    `raise NotImplementedError("Task <id>: ...")` of a student's copy, in a task still to do.
    Other uses of NotImplementedError (a finished kernel that refuses a case) do not count."""
    fn = getattr(fn, "py_func", fn)  # a compiled helper: its Python function
    codes = [fn.__code__]
    while codes:
        code = codes.pop()
        if "NotImplementedError" in code.co_names and _raises_stub(code):
            return False
        codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return True


def _raises_stub(code):
    """Whether `code` runs `raise NotImplementedError("Task x.y: ...")`: the name, the
    message as a constant, the call and the raise, in a row."""
    steps = [(i.opname, i.argval) for i in dis.get_instructions(code)
             if i.opname not in ("PRECALL", "PUSH_NULL", "KW_NAMES")]
    for (op, name), (_, message), (call, _), (end, _) in zip(steps, steps[1:], steps[2:],
                                                           steps[3:]):
        if (op in ("LOAD_GLOBAL", "LOAD_NAME") and name == "NotImplementedError"
                and isinstance(message, str) and _STUB_MESSAGE.match(message)
                and call == "CALL" and end == "RAISE_VARARGS"):
            return True
    return False


def _compile(kernel, parallel, fastmath):
    if JIT_DISABLED:
        return kernel
    dispatcher = _jit(kernel, parallel=parallel, fastmath=fastmath)
    try:
        dispatcher._cache = _KernelCache(dispatcher.py_func, parallel)
    except RuntimeError:  # no writable place for a cache: compile in each process
        pass
    return dispatcher


# ----- the kernels -------------------------------------------------------------------------------
# Outside the fast path, map and zip walk the output in tiles of TILE_ROWS rows by TILE_COLUMNS
# columns: an input read across rows (a transposed one) is then still read from the cache.
TILE_ROWS, TILE_COLUMNS = 16, 64


def tensor_map(fn):
    """A compiled kernel applying `fn` to each element of `in_storage`, broadcast to
    `out_shape` (the arguments of `tensor_ops.tensor_map`)."""
    fn = compiled_scalar(fn)

    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
        # BEGIN SOLUTION 4.1
        size = shape_size(out_shape)
        if size == 0:
            return
        if (same_shape(out_shape, in_shape) and is_contiguous(out_shape, out_strides)
                and is_contiguous(in_shape, in_strides)):
            for i in prange(size):
                out[i] = fn(in_storage[i])
            return
        n = row_length(out_shape)
        rows = size // n
        out_step = row_step(out_shape, out_shape, out_strides)
        in_step = row_step(out_shape, in_shape, in_strides)
        for tile in prange((rows + TILE_ROWS - 1) // TILE_ROWS):
            for j0 in range(0, n, TILE_COLUMNS):
                for row in range(tile * TILE_ROWS, min(tile * TILE_ROWS + TILE_ROWS, rows)):
                    o = broadcast_position(row * n, out_shape, out_shape, out_strides)
                    p = broadcast_position(row * n, out_shape, in_shape, in_strides)
                    for j in range(j0, min(j0 + TILE_COLUMNS, n)):
                        out[o + j * out_step] = fn(in_storage[p + j * in_step])
        # END SOLUTION

    return Kernel(_map)


def tensor_zip(fn):
    """A compiled kernel writing `fn(a, b)` for the broadcast elements of `a` and `b` (the
    arguments of `tensor_ops.tensor_zip`)."""
    fn = compiled_scalar(fn)

    def _zip(out, out_shape, out_strides, a_storage, a_shape, a_strides,
             b_storage, b_shape, b_strides):
        # BEGIN SOLUTION 4.2
        size = shape_size(out_shape)
        if size == 0:
            return
        if (same_shape(out_shape, a_shape) and same_shape(out_shape, b_shape)
                and is_contiguous(out_shape, out_strides) and is_contiguous(a_shape, a_strides)
                and is_contiguous(b_shape, b_strides)):
            for i in prange(size):
                out[i] = fn(a_storage[i], b_storage[i])
            return
        n = row_length(out_shape)
        rows = size // n
        out_step = row_step(out_shape, out_shape, out_strides)
        a_step = row_step(out_shape, a_shape, a_strides)
        b_step = row_step(out_shape, b_shape, b_strides)
        for tile in prange((rows + TILE_ROWS - 1) // TILE_ROWS):
            for j0 in range(0, n, TILE_COLUMNS):
                for row in range(tile * TILE_ROWS, min(tile * TILE_ROWS + TILE_ROWS, rows)):
                    o = broadcast_position(row * n, out_shape, out_shape, out_strides)
                    p = broadcast_position(row * n, out_shape, a_shape, a_strides)
                    q = broadcast_position(row * n, out_shape, b_shape, b_strides)
                    for j in range(j0, min(j0 + TILE_COLUMNS, n)):
                        out[o + j * out_step] = fn(a_storage[p + j * a_step],
                                                   b_storage[q + j * b_step])
        # END SOLUTION

    return Kernel(_zip)


def tensor_reduce(fn):
    """A compiled kernel folding `a` along `reduce_dim` with `fn` into `out`, which arrives
    holding the start value, neutral for `fn` (the arguments of `tensor_ops.tensor_reduce`)."""
    fn = compiled_scalar(fn)

    def _reduce(out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim):
        # BEGIN SOLUTION 4.3
        size = shape_size(out_shape)
        if size == 0:
            return
        count = a_shape[reduce_dim]
        step = a_strides[reduce_dim]
        last = len(out_shape) - 1
        if reduce_dim == last:
            # each output element folds one row of `a`, in four interleaved partial folds
            # (each from the start value): one step need not wait for the step before
            for i in prange(size):
                at = broadcast_position(i, out_shape, out_shape, out_strides)
                start = broadcast_position(i, out_shape, out_shape, a_strides)
                acc0 = acc1 = acc2 = acc3 = out[at]
                k = 0
                while k + 4 <= count:
                    p = start + k * step
                    acc0 = fn(acc0, a_storage[p])
                    acc1 = fn(acc1, a_storage[p + step])
                    acc2 = fn(acc2, a_storage[p + 2 * step])
                    acc3 = fn(acc3, a_storage[p + 3 * step])
                    k += 4
                for rest in range(k, count):
                    acc0 = fn(acc0, a_storage[start + rest * step])
                out[at] = fn(fn(acc0, acc1), fn(acc2, acc3))
            return
        # a piece of a row of outputs folds the same pieces of `count` rows of `a`, walking
        # each along the last dimension (pieces of TILE_COLUMNS: work for every core even
        # when there is a single output row)
        n = out_shape[last]
        out_step = out_strides[last]
        a_step = a_strides[last]
        pieces = (n + TILE_COLUMNS - 1) // TILE_COLUMNS
        for task in prange(size // n * pieces):
            row, j0 = task // pieces, task % pieces * TILE_COLUMNS
            j1 = min(j0 + TILE_COLUMNS, n)
            o = broadcast_position(row * n, out_shape, out_shape, out_strides)
            p = broadcast_position(row * n, out_shape, out_shape, a_strides)
            for k in range(count):
                if out_step == 1 and a_step == 1:  # contiguous pieces: a vectorisable loop
                    acc = out[o + j0:o + j1]
                    piece = a_storage[p + k * step + j0:p + k * step + j1]
                    for j in range(j1 - j0):
                        acc[j] = fn(acc[j], piece[j])
                else:
                    for j in range(j0, j1):
                        out[o + j * out_step] = fn(out[o + j * out_step],
                                                   a_storage[p + k * step + j * a_step])
        # END SOLUTION

    return Kernel(_reduce)


# Tile sizes of the matrix product: a tile of `b` (_K_TILE rows of _J_TILE) stays in cache
# while a band of _I_TILE rows of `a` is multiplied with it.
_I_TILE, _K_TILE, _J_TILE = 32, 128, 256


def _matmul(out, out_shape, out_strides, a_storage, a_shape, a_strides,
            b_storage, b_shape, b_strides):
    """Batched matrix product `out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]`; `out`
    arrives zeroed and contiguous (the arguments of `tensor_ops.tensor_matmul`)."""
    # BEGIN SOLUTION 4.4
    nd = len(out_shape)
    rows, cols, inner = out_shape[nd - 2], out_shape[nd - 1], a_shape[nd - 1]
    size = shape_size(out_shape)
    if size == 0:
        return
    a_down, a_right = a_strides[nd - 2], a_strides[nd - 1]
    b_down, b_right = b_strides[nd - 2], b_strides[nd - 1]
    bands = (rows + _I_TILE - 1) // _I_TILE
    for task in prange(size // (rows * cols) * bands):
        batch, band = task // bands, task % bands
        first = batch * rows * cols  # the ordinal of out[batch, 0, 0]
        o0 = broadcast_position(first, out_shape, out_shape, out_strides)
        a0 = broadcast_position(first, out_shape, a_shape, a_strides)
        b0 = broadcast_position(first, out_shape, b_shape, b_strides)
        for k0 in range(0, inner, _K_TILE):
            k1 = min(k0 + _K_TILE, inner)
            for j0 in range(0, cols, _J_TILE):
                width = min(j0 + _J_TILE, cols) - j0
                for i in range(band * _I_TILE, min(band * _I_TILE + _I_TILE, rows)):
                    out_row = out[o0 + i * cols + j0:o0 + i * cols + j0 + width]
                    a_i = a0 + i * a_down
                    k = k0
                    while b_right == 1 and k + 4 <= k1:
                        # four contiguous rows of b per pass over the output row: a loop the
                        # CPU vectorises, with four multiply-adds per load and store of out
                        x0, x1 = a_storage[a_i + k * a_right], a_storage[a_i + (k + 1) * a_right]
                        x2, x3 = (a_storage[a_i + (k + 2) * a_right],
                                  a_storage[a_i + (k + 3) * a_right])
                        s = b0 + k * b_down + j0
                        r0, r1 = b_storage[s:s + width], b_storage[s + b_down:s + b_down + width]
                        s += 2 * b_down
                        r2, r3 = b_storage[s:s + width], b_storage[s + b_down:s + b_down + width]
                        for j in range(width):
                            out_row[j] += x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j]
                        k += 4
                    while k < k1:  # the rows left over (or a b walked with a stride)
                        x = a_storage[a_i + k * a_right]
                        start = b0 + k * b_down + j0 * b_right
                        for j in range(width):
                            out_row[j] += x * b_storage[start + j * b_right]
                        k += 1
    # END SOLUTION


tiled_matmul = Kernel(_matmul, fastmath={"contract"})  # a fused multiply-add per step


# ----- task 4.5: the packed, register-blocked matrix product -------------------------------------
# The micro-kernel computes a tile of MR x NR = 4 x 4 outputs in registers. The work is cut into
# panels of _NC columns of the output (one task each: the `prange`); a task multiplies blocks
# of _MC rows x _KC of `a` by blocks of _KC x _NC of `b`, each copied (packed) into a buffer
# that stays in the core's L2 cache while it is used.
MR = NR = 4
_KC, _MC, _NC = 512, 128, 256
# Numba's threads (read once: a compiled function that asked at run time could not be cached);
# only how the work is cut depends on it
_THREADS = numba.config.NUMBA_NUM_THREADS


@_helper
def pack(dst, storage, start, count, step, kc, k_step):
    """Copy `count` vectors of `kc` elements (element k of vector r at `start + r * step +
    k * k_step` in `storage`) into `dst`, one after the other and each contiguous:
    `dst[r * kc + k]`. The micro-kernel then reads contiguous vectors, whatever the strides of
    the tensor were. (Where `count` is no multiple of 4, the last tile also reads the vectors
    after them, whatever the buffer holds: those outputs are not kept.)"""
    if k_step == 1:  # each vector is contiguous already: copy it whole
        for r in range(count):
            p = start + r * step
            dst[r * kc:r * kc + kc] = storage[p:p + kc]
    else:  # four vectors side by side, walked along k: neighbours share cache lines
        for r0 in range(0, count, 4):
            for k in range(kc):
                p = start + r0 * step + k * k_step
                for r in range(r0, min(r0 + 4, count)):
                    dst[r * kc + k] = storage[p + (r - r0) * step]


def micro_kernel(a, b, c, at, ldc):
    """Add the 4 x 4 product of packed panels to a tile of `c`: for i, j < 4,
    `c[at + i * ldc + j] += sum_k a[i * kc + k] * b[j * kc + k]`, with kc = len(a) // 4
    (`a` holds 4 rows of `a`'s block, `b` 4 columns of `b`'s, each contiguous along k)."""
    # BEGIN SOLUTION 4.5
    kc = len(a) // 4
    a0, a1, a2, a3 = a[:kc], a[kc:2 * kc], a[2 * kc:3 * kc], a[3 * kc:4 * kc]
    b0, b1, b2, b3 = b[:kc], b[kc:2 * kc], b[2 * kc:3 * kc], b[3 * kc:4 * kc]
    r0, r1, r2, r3 = at, at + ldc, at + 2 * ldc, at + 3 * ldc
    # the tile in 16 local variables: registers, from the first to the last k
    c00, c01, c02, c03 = c[r0], c[r0 + 1], c[r0 + 2], c[r0 + 3]
    c10, c11, c12, c13 = c[r1], c[r1 + 1], c[r1 + 2], c[r1 + 3]
    c20, c21, c22, c23 = c[r2], c[r2 + 1], c[r2 + 2], c[r2 + 3]
    c30, c31, c32, c33 = c[r3], c[r3 + 1], c[r3 + 2], c[r3 + 3]
    for k in range(kc):  # per step: 8 loads, 16 multiply-adds
        x0, x1, x2, x3 = a0[k], a1[k], a2[k], a3[k]
        y0, y1, y2, y3 = b0[k], b1[k], b2[k], b3[k]
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3  # noqa: E702
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3  # noqa: E702
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3  # noqa: E702
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3  # noqa: E702
    c[r0], c[r0 + 1], c[r0 + 2], c[r0 + 3] = c00, c01, c02, c03
    c[r1], c[r1 + 1], c[r1 + 2], c[r1 + 3] = c10, c11, c12, c13
    c[r2], c[r2 + 1], c[r2 + 2], c[r2 + 3] = c20, c21, c22, c23
    c[r3], c[r3 + 1], c[r3 + 2], c[r3 + 3] = c30, c31, c32, c33
    # END SOLUTION


# The loop over k runs on vectors of k (each accumulator a vector of partial sums, added up at
# the end): that reorders the additions, which "reassoc" allows; "contract" fuses each multiply
# and add.
micro_kernel = _jit(micro_kernel, cache=True, fastmath={"contract", "reassoc"})


def _blocked_matmul(out, out_shape, out_strides, a_storage, a_shape, a_strides,
                    b_storage, b_shape, b_strides):
    """The product of `_matmul` (same arguments) from packed panels and 4 x 4 micro-kernels."""
    nd = len(out_shape)
    rows, cols, inner = out_shape[nd - 2], out_shape[nd - 1], a_shape[nd - 1]
    if rows * cols == 0:
        return
    a_down, a_right = a_strides[nd - 2], a_strides[nd - 1]
    b_down, b_right = b_strides[nd - 2], b_strides[nd - 1]
    batches = len(out) // (rows * cols)
    # panels of equal width (a multiple of NR), enough of them to give every thread work
    panels = max((cols + _NC - 1) // _NC,
                 min((_THREADS + batches - 1) // batches, (cols + NR - 1) // NR))
    width = ((cols + panels - 1) // panels + NR - 1) // NR * NR
    panels = (cols + width - 1) // width
    for task in prange(batches * panels):
        batch, j0 = task // panels, task % panels * width
        n = min(width, cols - j0)
        first = batch * rows * cols  # the ordinal of out[batch, 0, 0]
        o0 = broadcast_position(first, out_shape, out_shape, out_strides) + j0
        a0 = broadcast_position(first, out_shape, a_shape, a_strides)
        b0 = broadcast_position(first, out_shape, b_shape, b_strides) + j0 * b_right
        b_panel = np.empty(_KC * width, out.dtype)
        a_block = np.empty(_MC * _KC, out.dtype)
        edge = np.empty(MR * NR, out.dtype)  # a tile that sticks out of `out`
        for k0 in range(0, inner, _KC):
            kc = min(_KC, inner - k0)
            pack(b_panel, b_storage, b0 + k0 * b_down, n, b_right, kc, b_down)
            for i0 in range(0, rows, _MC):
                m = min(_MC, rows - i0)
                pack(a_block, a_storage, a0 + i0 * a_down + k0 * a_right, m, a_down, kc,
                     a_right)
                for j in range(0, n, NR):
                    b = b_panel[j * kc:(j + NR) * kc]
                    for i in range(0, m, MR):
                        a = a_block[i * kc:(i + MR) * kc]
                        at = o0 + (i0 + i) * cols + j
                        if i + MR <= m and j + NR <= n:
                            micro_kernel(a, b, out, at, cols)
                        else:
                            edge[:] = 0
                            micro_kernel(a, b, edge, 0, NR)
                            for r in range(min(MR, m - i)):
                                for s in range(min(NR, n - j)):
                                    out[at + r * cols + s] += edge[r * NR + s]


blocked_matmul = Kernel(_blocked_matmul, parts=(micro_kernel,))

# `a @ b` on the fast backend: task 4.5's kernel once it is written, else task 4.4's
tensor_matmul = tiled_matmul if blocked_matmul.stub else blocked_matmul
TASKS["matmul"] = ("4.4", "tensor_matmul") if blocked_matmul.stub else ("4.5", "micro_kernel")
