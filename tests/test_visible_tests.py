"""The visible tests catch the usual mistakes: each typical bug, planted in a copy of the
reference package, makes the visible tests of its task fail (the hidden tests, which grade,
are stronger still). A student who sees "the visible tests pass" has not made one of these.

The visible tests of a task are the notebook's cell `task_<a>_<b>_visible` (01, 02, 3.4-3.6, 06,
and 07 but 7.5, which trains a CNN: cells that run on their own); each runs in a fresh interpreter,
after what the notebook's setup cell does (for 06 and 07: their setup and helpers cells, magics
left out; 06's GPU kernels on numba's CUDA simulator where there is no GPU), against the planted
copy. The unplanted reference passes them all (so a failure below is the bug's doing). A missing
`cuda.syncthreads()` is not among the bugs: it is a race, which the simulator does not reliably
show (the notebook says so).
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = ("import numpy as np\nimport minitorch\nfrom autograder.notebook import check\n"
         "minitorch.set_default_backend('simple')\n")

# (task, file, the reference's text, the bug): the mistakes students make most (a GPU kernel
# that indexes by threadIdx.x alone, a convolution that flips its kernel, ...).
BUGS = [
    ("1.1", "tensor_data.py", "for i in range(len(index)):", "for i in range(len(index) - 1):"),
    ("1.2", "tensor_data.py", "for i in range(len(shape) - 1, -1, -1):\n        out_index[i]",
     "for i in range(len(shape)):\n        out_index[i]"),
    ("1.3", "tensor_data.py", "extra = len(big_shape) - len(shape)",
     "extra = min(1, len(big_shape) - len(shape))"),
    ("1.3", "tensor_data.py", "out_index[i] = 0 if shape[i] == 1 else big_index[extra + i]",
     "out_index[i] = big_index[extra + i]"),
    ("1.4", "tensor_data.py", "out[i] = b[i] if a[i] == 1 else a[i]", "out[i] = a[i]"),
    ("1.4", "tensor_data.py", "out[i] = b[i] if a[i] == 1 else a[i]", "out[i] = max(a[i], b[i])"),
    ("1.5", "tensor_data.py", "strides = tuple(self.strides[i] for i in order)",
     "strides = self.strides"),
    ("1.6", "tensor_ops.py", "out[index_to_position(out_index, out_strides)] = fn(value)",
     "out[ordinal] = fn(value)"),
    ("1.6", "tensor_ops.py", "value = in_storage[index_to_position(in_index, in_strides)]",
     "value = in_storage[ordinal % len(in_storage)]"),
    ("1.7", "tensor_ops.py", "out[index_to_position(out_index, out_strides)] = fn(a, b)",
     "out[ordinal] = fn(a, b)"),
    ("1.8", "tensor_ops.py", "acc = out[out_pos]", "acc = 0"),
    ("1.8", "tensor_ops.py", "a_pos += a_strides[reduce_dim]", "a_pos += 1"),
    ("1.8", "tensor_ops.py", "out[out_pos] = acc", "out[ordinal] = acc"),
    ("1.9", "tensor_ops.py", "out[index_to_position(out_index, out_strides)] = acc",
     "out[ordinal] = acc"),
    ("1.9", "tensor_ops.py", "b_pos += b_strides[-2]", "b_pos += 1"),
    ("2.1", "autodiff.py", "return (f(*up) - f(*down)) / (2 * epsilon)",
     "return (f(*up) - f(*vals)) / epsilon"),
    ("2.2", "autodiff.py", "    order.reverse()\n    return order", "    return order"),
    ("2.3", "autodiff.py", "grads[parent] = grads[parent] + input_grad",
     "grads[parent] = input_grad"),
    ("2.3", "autodiff.py", "grads[parent] = grads[parent] + input_grad",
     "grads[parent] += input_grad"),
    ("2.5", "tensor_functions.py", "extra = grad.dim() - len(shape)",
     "extra = min(1, grad.dim() - len(shape))"),
    ("2.6", "tensor_functions.py", "_to_input(-grad * ctx.alpha, b)", "_to_input(-grad, b)"),
    ("2.8", "tensor_functions.py", "return grad.reshape(ctx.shape)", "return grad.view(ctx.shape)"),
    # 03: the functional layers
    ("3.4", "nn/functional.py", "return where(input > 0, input, input * negative_slope)",
     "return where(input > 0, input, input * 0.01)"),
    ("3.4", "nn/functional.py", "(input + 0.044715 * input * input * input) * _SQRT_2_OVER_PI",
     "(input + 0.044715 * input * input) * _SQRT_2_OVER_PI"),
    ("3.5", "nn/functional.py",
     "dtype=input.dtype).bernoulli_(1.0 - p)\n    return input * (mask / (1.0 - p))",
     "dtype=input.dtype).bernoulli_(1.0 - p)\n    return input * mask"),
    ("3.5", "nn/functional.py", "if not training:\n        return input\n    if p == 1.0:",
     "if False:\n        return input\n    if p == 1.0:"),
    ("3.6", "nn/functional.py", "variance = (centered * centered).mean(dims, keepdim=True)",
     "variance = input.var(dims, keepdim=True)"),
    ("3.6", "nn/functional.py", "out = centered / (variance + eps).sqrt()",
     "out = centered / (variance.sqrt() + eps)"),
    ("3.6", "nn/functional.py", "dims = tuple(range(-n, 0))", "dims = (-1,)"),
    ("3.6", "nn/functional.py", "centered = input - input.mean(dims, keepdim=True)",
     "centered = input - input.mean()"),
    # 06: the GPU kernels of cuda_ops.py
    ("6.1", "cuda_ops.py",
     "out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(value)",
     "out[i] = fn(value)"),
    ("6.1", "cuda_ops.py", "if i < size:\n            value = in_storage",
     "if i >= 0:\n            value = in_storage"),
    ("6.1", "cuda_ops.py", "i = cuda.grid(1)\n        if i < size:\n            value = in_storage",
     "i = cuda.threadIdx.x\n        if i < size:\n            value = in_storage"),
    ("6.2", "cuda_ops.py", "= fn(a, b)", "= fn(b, a)"),
    ("6.2", "cuda_ops.py",
     "out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(a, b)",
     "out[i] = fn(a, b)"),
    ("6.2", "cuda_ops.py", "if i < size:\n            a = a_storage",
     "if i >= 0:\n            a = a_storage"),
    ("6.2", "cuda_ops.py", "i = cuda.grid(1)\n        if i < size:\n            a = a_storage",
     "i = cuda.threadIdx.x\n        if i < size:\n            a = a_storage"),
    ("6.3", "cuda_ops.py", "out[at] = fn(out[at], folded[0])", "out[at] = folded[0]"),
    ("6.3", "cuda_ops.py", "count, step = a_shape[reduce_dim], a_strides[reduce_dim]",
     "count, step = a_shape[reduce_dim], 1"),
    ("6.3", "cuda_ops.py", "if t < count:  #", "if t < threads:  #"),
    ("6.4", "cuda_ops.py", "+ i * a_strides[nd - 2]", "+ i * inner"),
    ("6.4", "cuda_ops.py", "if i < rows and j < cols:\n            out[",
     "if i < rows:\n            out["),
    ("6.4", "cuda_ops.py", "broadcast_position(first, out_shape, b_shape, b_strides)",
     "(first_batch + cuda.blockIdx.z) * inner * cols"),
    ("6.4", "cuda_ops.py", "i, j = cuda.blockIdx.y * TPB + ty, cuda.blockIdx.x * TPB + tx",
     "i, j = cuda.blockIdx.x * TPB + ty, cuda.blockIdx.y * TPB + tx"),
    # 07: windows, the im2col convolution, fold, pooling
    ("7.1", "tensor_compute.py", "(n - dil * (k - 1) - 1) // s + 1", "(n - dil * (k - 1) - 1) + 1"),
    ("7.1", "tensor_compute.py", "(n - dil * (k - 1) - 1) // s + 1", "(n - (k - 1) - 1) // s + 1"),
    ("7.1", "tensor_compute.py", "tuple(st * dil for st, dil in zip(spatial_strides, dilation))",
     "tuple(spatial_strides)"),
    ("7.1", "tensor_compute.py", "tuple(st * s for st, s in zip(spatial_strides, stride))",
     "tuple(spatial_strides)"),
    ("7.2", "nn/conv.py", "x = pad_spatial(x, pads)",
     "x = pad_spatial(x, tuple((0, b + e) for b, e in pads))"),
    ("7.2", "nn/conv.py", "kernels = weight.reshape(groups, out_channels // groups, -1)",
     "kernels = weight.reshape(out_channels // groups, groups, -1).transpose(0, 1)"),
    ("7.2", "nn/conv.py",
     "order = (0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(3, 3 + nd))",
     "order = tuple(range(3 + 2 * nd))"),
    ("7.2", "nn/conv.py", "out = out + bias.reshape(out_channels, *(1,) * nd)",
     "out = out + bias"),
    ("7.2", "nn/conv.py", "kernels = weight.reshape(groups, out_channels // groups, -1)",
     "kernels = weight.flip(tuple(range(2, 2 + nd))).reshape(groups, out_channels // groups, -1)"),
    ("7.3", "tensor_compute.py",
     "windowed.backend.zip(ops.add, into, piece, windowed.dtype, out=into)",
     "windowed.backend.copy(piece, into)"),
    ("7.3", "tensor_compute.py", "st * s for st, s in zip(target.strides[lead:], stride))",
     "st for st, s in zip(target.strides[lead:], stride))"),
    ("7.3", "tensor_compute.py", "at = target.offset + sum(o * dil * st for",
     "at = target.offset + sum(o * st + 0 * dil for"),
    ("7.4", "nn/pooling.py", "ceil_mode,\n                               _lowest(input.dtype))",
     "ceil_mode,\n                               0)"),
    ("7.4", "nn/pooling.py", "if count_include_pad:\n        return (end - start)",
     "if not count_include_pad:\n        return (end - start)"),
    ("7.4", "nn/pooling.py", "end = np.minimum(start + k, n + p)",
     "end = np.minimum(start + k, n)"),
]


def visible_cells(notebook: Path) -> dict[str, str]:
    """Task id -> the source of its visible tests' cell."""
    found = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        name = re.fullmatch(r"task_(\d+)_(\d+)_visible",
                            cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if name:
            found[f"{name[1]}.{name[2]}"] = "".join(cell["source"])
    return found


def setup_cells(notebook: Path, ids: tuple[str, ...]) -> str:
    """The source of the cells `ids` of a notebook, without IPython's magic lines."""
    cells = {c.get("id"): "".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]}
    return "\n".join(line for cell in ids for line in cells[cell].splitlines()
                     if not line.startswith("%")) + "\n"


MODULES = ROOT / "course" / "source" / "03_modules" / "03_modules.ipynb"
GPU = ROOT / "course" / "source" / "06_gpu" / "06_gpu.ipynb"
CNN = ROOT / "course" / "source" / "07_cnn" / "07_cnn.ipynb"
# The visible tests that run on their own (those of 3.1-3.3 build on the lecture's classes).
VISIBLE = {**visible_cells(ROOT / "course" / "source" / "01_tensors" / "01_tensors.ipynb"),
           **visible_cells(ROOT / "course" / "source" / "02_autograd" / "02_autograd.ipynb"),
           **{t: c for t, c in visible_cells(MODULES).items() if t in ("3.4", "3.5", "3.6")},
           **visible_cells(GPU),
           **{t: c for t, c in visible_cells(CNN).items() if t != "7.5"}}  # 7.5 trains a CNN
SETUPS = {"3": setup_cells(MODULES, ("setup",)),
          "6": setup_cells(GPU, ("setup", "helpers")),
          "7": setup_cells(CNN, ("setup", "helpers"))}


def run_visible(package_root: Path, task: str) -> subprocess.CompletedProcess:
    code = SETUPS.get(task.split(".")[0], SETUP) + VISIBLE[task]
    return subprocess.run([sys.executable, "-c", code], cwd=package_root, capture_output=True,
                          text=True, timeout=300)


def planted(tmp_path: Path, file: str, reference: str, bug: str) -> Path:
    root = tmp_path / "planted"
    shutil.copytree(ROOT / "minitorch", root / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = root / "minitorch" / file
    text = path.read_text()
    assert text.count(reference) == 1, f"{reference!r} is not once in {file}"
    path.write_text(text.replace(reference, bug))
    return root


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(VISIBLE))
def test_the_reference_passes_the_visible_tests(task):
    done = run_visible(ROOT, task)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Task {task}: the visible tests pass." in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("task, file, reference, bug", BUGS,
                         ids=[f"{t}:{b[:30]}" for t, _, _, b in BUGS])
def test_the_visible_tests_catch_a_typical_bug(tmp_path, task, file, reference, bug):
    done = run_visible(planted(tmp_path, file, reference, bug), task)
    assert done.returncode != 0, f"the visible tests of {task} pass with the bug {bug!r}"
    # failed in the task's own check, or in the planted code it calls (not on the way there)
    assert f"Task {task}" in done.stderr or "/planted/minitorch/" in done.stderr, \
        done.stderr[-2000:]
    assert "SyntaxError" not in done.stderr and "ImportError" not in done.stderr
