"""A short tutorial-style script, written the way a student pastes PyTorch code into a notebook.

It is shared by two tests, so that the script lives in one place:

- `tests/test_tutorial.py` runs it under `import minitorch as torch` (no PyTorch needed) and
  compares what it prints with the output PyTorch printed for it, pasted there as a literal;
- `tests/parity/test_torch_parity.py` runs it under both libraries, live, where torch exists.

Only the tensor parts of a tutorial are here, on fixed data (no seeds, no random values), so
the printed output is the same on every machine.
"""

import contextlib
import io

TUTORIAL_SOURCE = '''\
import numpy as np
import minitorch as torch

print("== creating tensors ==")
t1 = torch.tensor([1, 2, 3, 4, 5])
print(f"from a list: {t1}")
print(f"  dtype: {t1.dtype}, shape: {t1.shape}")
t2 = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(f"2-D floats:\\n{t2}")
print(f"  dtype: {t2.dtype}, dim: {t2.dim()}, numel: {t2.numel()}")
np_arr = np.array([[1, 2, 3], [4, 5, 6]])
t3 = torch.from_numpy(np_arr)
print(f"from NumPy:\\n{t3}")
print(f"  dtype: {t3.dtype}, size: {t3.size()}, size(1): {t3.size(1)}")
print(f"zeros:\\n{torch.zeros(2, 3)}")
print(f"ones (int64): {torch.ones(4, dtype=torch.int64)}")
print(f"full: {torch.full((2, 2), 7.5)}")
print(f"eye:\\n{torch.eye(3)}")
print(f"arange: {torch.arange(0, 10, 2)}")
print(f"arange float: {torch.arange(0.0, 1.0, 0.25)}")
print(f"linspace: {torch.linspace(0, 1, 5)}")
t_float = torch.tensor([1, 2, 3], dtype=torch.float32)
t_int = torch.tensor([1, 2, 3], dtype=torch.int64)
print(f"float tensor: {t_float}, dtype: {t_float.dtype}")
print(f"int tensor: {t_int}, dtype: {t_int.dtype}")
print(f"zeros_like: {torch.zeros_like(t_float)}")
print(f"ones_like: {torch.ones_like(t_int)}")
print(f"as double: {t_int.double()}")
print(f"to float: {t_int.to(torch.float32)}")
print(f"bools: {torch.tensor([True, False, True])}")
s = torch.tensor(3.5)
print(f"scalar: {s}, dim: {s.dim()}, shape: {s.shape}")
print("scalar printed:", s, repr(s))
print(t2)
print(repr(t2.dtype), str(t2.shape), t2.device)

print()
print("== arithmetic ==")
a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([4.0, 5.0, 6.0])
print(f"a + b = {a + b}")
print(f"a - b = {a - b}")
print(f"a * b = {a * b}")
print(f"a / b = {a / b}")
print(f"a ** 2 = {a ** 2}")
print(f"2 * a + 1 = {2 * a + 1}")
print(f"add(a, b) = {torch.add(a, b)}")
print(f"mul(a, b) = {torch.mul(a, b)}")
print(f"sqrt: {torch.sqrt(b)}")
print(f"exp: {torch.exp(a)}")
print(f"log: {torch.log(a)}")
print(f"a > 1.5: {a > 1.5}")
print(f"int // 2: {t_int // 2}, int % 2: {t_int % 2}")
print(f"int / 2: {t_int / 2}")
print(f"int + 0.5: {t_int + 0.5}")
print(f"relu: {torch.relu(torch.tensor([-1.0, 0.0, 2.0]))}")
print(f"sigmoid: {torch.sigmoid(torch.tensor([0.0, 2.0]))}")
print(f"clamp: {torch.clamp(torch.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)}")

print()
print("== broadcasting ==")
m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
row = torch.tensor([10.0, 20.0, 30.0])
col = torch.tensor([[100.0], [200.0]])
print(f"m + row:\\n{m + row}")
print(f"m + col:\\n{m + col}")
print(f"(m + row + col).shape: {(m + row + col).shape}")

print()
print("== matrix multiplication ==")
A = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
B = torch.tensor([[5.0, 6.0], [7.0, 8.0]])
print(f"A @ B:\\n{A @ B}")
print(f"matmul(A, B):\\n{torch.matmul(A, B)}")
print(f"mm(A, B):\\n{torch.mm(A, B)}")
v = torch.tensor([1.0, -1.0])
print(f"A @ v: {A @ v}")
print(f"dot: {torch.dot(v, v)}")
print(f"A * B (elementwise):\\n{A * B}")
print(f"(m @ m.T).shape: {(m @ m.T).shape}")

print()
print("== reductions ==")
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(f"sum: {x.sum()}")
print(f"sum(dim=0): {x.sum(dim=0)}")
print(f"sum(dim=1, keepdim=True):\\n{x.sum(dim=1, keepdim=True)}")
print(f"mean: {x.mean()}, mean(dim=1): {x.mean(dim=1)}")
print(f"max: {x.max()}, min: {x.min()}")
print(f"argmax: {x.argmax()}, argmax(dim=1): {x.argmax(dim=1)}")
print(f"std: {x.std():.4f}, var: {x.var():.4f}")
print(f"prod: {x.prod()}")
values, indices = x.max(dim=0)
print(f"max(dim=0): values={values}, indices={indices}")
print(f"int sum: {t_int.sum()}, dtype: {t_int.sum().dtype}")
print(f"item: {x.sum().item()}")
print(x.sum(dim=1))
print(x.mean())

print()
print("== reshaping ==")
y = torch.arange(12)
print(f"y: {y}, shape: {y.shape}")
print(f"view(3, 4):\\n{y.view(3, 4)}")
print(f"reshape(2, -1):\\n{y.reshape(2, -1)}")
z = y.reshape(2, 3, 2)
print(f"z.shape: {z.shape}, flatten: {z.flatten().shape}")
print(f"flatten(1): {z.flatten(1).shape}, flatten(0, 1): {z.flatten(0, 1).shape}")
print(f"permute(2, 0, 1).shape: {z.permute(2, 0, 1).shape}")
print(f"transpose(0, 1).shape: {z.transpose(0, 1).shape}")
print(f"m.T:\\n{m.T}")
print(f"m.t().is_contiguous(): {m.t().is_contiguous()}")
print(f"unsqueeze(0).shape: {a.unsqueeze(0).shape}, unsqueeze(1).shape: {a.unsqueeze(1).shape}")
print(f"squeeze: {torch.zeros(1, 3, 1).squeeze().shape}")
print(f"cat dim 0:\\n{torch.cat([A, B], dim=0)}")
print(f"cat dim 1:\\n{torch.cat([A, B], dim=1)}")
print(f"stack:\\n{torch.stack([a, b])}")

print()
print("== indexing ==")
g = torch.arange(1, 13).reshape(3, 4)
print(f"g:\\n{g}")
print(f"g[0]: {g[0]}")
print(f"g[:, 1]: {g[:, 1]}")
print(f"g[1, 2]: {g[1, 2]}, item: {g[1, 2].item()}")
print(f"g[-1]: {g[-1]}")
print(f"g[0:2, 1:3]:\\n{g[0:2, 1:3]}")
print(f"g[::2]:\\n{g[::2]}")
print(f"g[g > 6]: {g[g > 6]}")
print(f"g[[0, 2]]:\\n{g[[0, 2]]}")
g[0, 0] = 100
g[:, -1] = 0
print(f"after assignment:\\n{g}")

print()
print("== NumPy interop ==")
n = np.array([1.0, 2.0, 3.0])
tn = torch.from_numpy(n)
print(f"from_numpy: {tn}, dtype: {tn.dtype}")
n[0] = 10.0
print(f"shares memory: {tn}")
back = tn.numpy()
print(f"numpy(): {back}, type: {type(back).__name__}, dtype: {back.dtype}")
print(f"tolist: {torch.tensor([[1, 2], [3, 4]]).tolist()}")
'''


def tutorial_source(module="minitorch"):
    """The script, importing `module` as `torch` (`module` is "minitorch" or "torch")."""
    if module == "minitorch":
        return TUTORIAL_SOURCE
    return TUTORIAL_SOURCE.replace("import minitorch as torch", f"import {module} as torch")


def run_tutorial(module="minitorch", record_error=False):
    """Run the script with `module` imported as `torch`; return what it printed.

    With `record_error`, an exception ends the output with a line `!! <Type>: <message>`
    (so a test can still compare the lines printed before it) instead of propagating.
    """
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(tutorial_source(module), f"<tutorial:{module}>", "exec"), {})
        except Exception as e:
            if not record_error:
                raise
            print(f"!! {type(e).__name__}: {e}")
    return out.getvalue()
