"""The tensor parts of a typical PyTorch tutorial, run with `import minitorch as torch`.

The script is `tests/parity/tutorial_script.py` (shared with the live comparison against PyTorch
in `tests/parity/`). EXPECTED below is what PyTorch 2.13 printed for it, collected once with
`run_tutorial("torch")` and `torch.` written `minitorch.`; this test needs no PyTorch.
"""

import pytest

try:
    from parity.tutorial_script import run_tutorial, tutorial_source
except ImportError:  # tests/ imported as a package
    from tests.parity.tutorial_script import run_tutorial, tutorial_source

EXPECTED = """\
== creating tensors ==
from a list: tensor([1, 2, 3, 4, 5])
  dtype: minitorch.int64, shape: minitorch.Size([5])
2-D floats:
tensor([[1., 2.],
        [3., 4.]])
  dtype: minitorch.float32, dim: 2, numel: 4
from NumPy:
tensor([[1, 2, 3],
        [4, 5, 6]])
  dtype: minitorch.int64, size: minitorch.Size([2, 3]), size(1): 3
zeros:
tensor([[0., 0., 0.],
        [0., 0., 0.]])
ones (int64): tensor([1, 1, 1, 1])
full: tensor([[7.5000, 7.5000],
        [7.5000, 7.5000]])
eye:
tensor([[1., 0., 0.],
        [0., 1., 0.],
        [0., 0., 1.]])
arange: tensor([0, 2, 4, 6, 8])
arange float: tensor([0.0000, 0.2500, 0.5000, 0.7500])
linspace: tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
float tensor: tensor([1., 2., 3.]), dtype: minitorch.float32
int tensor: tensor([1, 2, 3]), dtype: minitorch.int64
zeros_like: tensor([0., 0., 0.])
ones_like: tensor([1, 1, 1])
as double: tensor([1., 2., 3.], dtype=minitorch.float64)
to float: tensor([1., 2., 3.])
bools: tensor([ True, False,  True])
scalar: 3.5, dim: 0, shape: minitorch.Size([])
scalar printed: tensor(3.5000) tensor(3.5000)
tensor([[1., 2.],
        [3., 4.]])
minitorch.float32 minitorch.Size([2, 2]) cpu

== arithmetic ==
a + b = tensor([5., 7., 9.])
a - b = tensor([-3., -3., -3.])
a * b = tensor([ 4., 10., 18.])
a / b = tensor([0.2500, 0.4000, 0.5000])
a ** 2 = tensor([1., 4., 9.])
2 * a + 1 = tensor([3., 5., 7.])
add(a, b) = tensor([5., 7., 9.])
mul(a, b) = tensor([ 4., 10., 18.])
sqrt: tensor([2.0000, 2.2361, 2.4495])
exp: tensor([ 2.7183,  7.3891, 20.0855])
log: tensor([0.0000, 0.6931, 1.0986])
a > 1.5: tensor([False,  True,  True])
int // 2: tensor([0, 1, 1]), int % 2: tensor([1, 0, 1])
int / 2: tensor([0.5000, 1.0000, 1.5000])
int + 0.5: tensor([1.5000, 2.5000, 3.5000])
relu: tensor([0., 0., 2.])
sigmoid: tensor([0.5000, 0.8808])
clamp: tensor([-1.0000,  0.5000,  1.0000])

== broadcasting ==
m + row:
tensor([[11., 22., 33.],
        [14., 25., 36.]])
m + col:
tensor([[101., 102., 103.],
        [204., 205., 206.]])
(m + row + col).shape: minitorch.Size([2, 3])

== matrix multiplication ==
A @ B:
tensor([[19., 22.],
        [43., 50.]])
matmul(A, B):
tensor([[19., 22.],
        [43., 50.]])
mm(A, B):
tensor([[19., 22.],
        [43., 50.]])
A @ v: tensor([-1., -1.])
dot: 2.0
A * B (elementwise):
tensor([[ 5., 12.],
        [21., 32.]])
(m @ m.T).shape: minitorch.Size([2, 2])

== reductions ==
sum: 21.0
sum(dim=0): tensor([5., 7., 9.])
sum(dim=1, keepdim=True):
tensor([[ 6.],
        [15.]])
mean: 3.5, mean(dim=1): tensor([2., 5.])
max: 6.0, min: 1.0
argmax: 5, argmax(dim=1): tensor([2, 2])
std: 1.8708, var: 3.5000
prod: 720.0
max(dim=0): values=tensor([4., 5., 6.]), indices=tensor([1, 1, 1])
int sum: 6, dtype: minitorch.int64
item: 21.0
tensor([ 6., 15.])
tensor(3.5000)

== reshaping ==
y: tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11]), shape: minitorch.Size([12])
view(3, 4):
tensor([[ 0,  1,  2,  3],
        [ 4,  5,  6,  7],
        [ 8,  9, 10, 11]])
reshape(2, -1):
tensor([[ 0,  1,  2,  3,  4,  5],
        [ 6,  7,  8,  9, 10, 11]])
z.shape: minitorch.Size([2, 3, 2]), flatten: minitorch.Size([12])
flatten(1): minitorch.Size([2, 6]), flatten(0, 1): minitorch.Size([6, 2])
permute(2, 0, 1).shape: minitorch.Size([2, 2, 3])
transpose(0, 1).shape: minitorch.Size([3, 2, 2])
m.T:
tensor([[1., 4.],
        [2., 5.],
        [3., 6.]])
m.t().is_contiguous(): False
unsqueeze(0).shape: minitorch.Size([1, 3]), unsqueeze(1).shape: minitorch.Size([3, 1])
squeeze: minitorch.Size([3])
cat dim 0:
tensor([[1., 2.],
        [3., 4.],
        [5., 6.],
        [7., 8.]])
cat dim 1:
tensor([[1., 2., 5., 6.],
        [3., 4., 7., 8.]])
stack:
tensor([[1., 2., 3.],
        [4., 5., 6.]])

== indexing ==
g:
tensor([[ 1,  2,  3,  4],
        [ 5,  6,  7,  8],
        [ 9, 10, 11, 12]])
g[0]: tensor([1, 2, 3, 4])
g[:, 1]: tensor([ 2,  6, 10])
g[1, 2]: 7, item: 7
g[-1]: tensor([ 9, 10, 11, 12])
g[0:2, 1:3]:
tensor([[2, 3],
        [6, 7]])
g[::2]:
tensor([[ 1,  2,  3,  4],
        [ 9, 10, 11, 12]])
g[g > 6]: tensor([ 7,  8,  9, 10, 11, 12])
g[[0, 2]]:
tensor([[ 1,  2,  3,  4],
        [ 9, 10, 11, 12]])
after assignment:
tensor([[100,   2,   3,   0],
        [  5,   6,   7,   0],
        [  9,  10,  11,   0]])

== NumPy interop ==
from_numpy: tensor([1., 2., 3.], dtype=minitorch.float64), dtype: minitorch.float64
shares memory: tensor([10.,  2.,  3.], dtype=minitorch.float64)
numpy(): [10.  2.  3.], type: ndarray, dtype: float64
tolist: [[1, 2], [3, 4]]
"""


@pytest.fixture(scope="module")
def printed():
    return run_tutorial("minitorch", record_error=True).splitlines()


def test_script_is_written_for_minitorch():
    assert "import minitorch as torch" in tutorial_source()


def _sections(lines):
    """Line numbers (1-based) where each `== title ==` section starts."""
    return {line: i for i, line in enumerate(lines, start=1) if line.startswith("== ")}


@pytest.mark.parametrize("section", [s for s in _sections(EXPECTED.splitlines())])
def test_tutorial_section(printed, section):
    """Each section of the tutorial prints, line by line, what PyTorch printed."""
    expected = EXPECTED.splitlines()
    starts = _sections(expected)
    first = starts[section]
    later = [n for n in starts.values() if n > first]
    last = min(later) - 1 if later else len(expected)
    assert section in printed, f"the tutorial never reached section {section!r}"
    offset = printed.index(section) + 1 - first
    for number in range(first, last + 1):
        want = expected[number - 1]
        got = printed[number - 1 + offset] if number - 1 + offset < len(printed) else "<missing>"
        assert got == want, (
            f"tutorial line {number} ({section}) differs:\n"
            f"  PyTorch printed:   {want!r}\n  minitorch printed: {got!r}"
        )


def test_tutorial_whole_output(printed):
    assert printed == EXPECTED.splitlines()
