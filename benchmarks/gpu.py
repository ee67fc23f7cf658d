"""The GPU: minitorch's `cuda` backend against PyTorch CUDA (and CuPy where installed), same run.

- matmul: n x n @ n x n in float32 for n = 256 ... 8192 (--sizes), GFLOP/s (2 n^3 each);
  minitorch runs task 6.4's shared-memory tiled kernel;
- elementwise: `a + b` on float32 vectors of 10^6 ... 10^8 elements (--lengths), GB/s
  (three vectors of 4-byte elements move per element);
- reduce: `x.sum(dim=1)` of a 4096 x 4096 float32 matrix;
- conv2d: forward + backward (gradients of input, weight and bias) of a 3x3, padding 1
  convolution in float32, batch 64: 3 -> 32 channels on 32x32 and 32 -> 64 on 16x16
  (--convs); minitorch runs `cuda_conv`'s im2col, grouped product and col2im kernels;
- quickstart: one epoch of PyTorch's quickstart MLP (784-512-512-10, ReLU), batch 64,
  SGD(lr=1e-3), CrossEntropyLoss, on --samples random samples already on the GPU.

Every timing waits for the GPU before it stops (`cuda.synchronize()` on each side), and is the
median over --repeats samples after a warm-up call (which also compiles minitorch's kernels).
ratio = the other side's time / minitorch's: above 1, minitorch is faster. Results are checked
against PyTorch's (or NumPy's) where both run.

It needs an NVIDIA GPU: without one it says so and stops. `--smoke` runs every part on tiny
sizes, on the CUDA simulator where there is no GPU, to check that the script works (its
figures then mean nothing).

Usage: .venv/bin/python benchmarks/gpu.py [--sizes 256 1024 4096] [--lengths 1000000]
    [--convs 64 3 32 32] [--samples 10000] [--repeats 5] [--smoke]
"""

import argparse
import ctypes.util
import os
import statistics
import sys
import time

import timing

SIZES = (256, 512, 1024, 2048, 4096, 8192)
LENGTHS = (10**6, 10**7, 10**8)
QUICKSTART = (784, 512, 512, 10)  # the layers' widths
CONVS = ((64, 3, 32, 32), (64, 32, 16, 64))  # (batch, in channels, side, out channels)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--lengths", type=int, nargs="+", default=LENGTHS)
    parser.add_argument("--reduce", type=int, default=4096, help="side of the summed matrix")
    parser.add_argument("--convs", type=int, nargs=4, action="append",
                        metavar=("BATCH", "IN", "SIDE", "OUT"),
                        help="a conv2d layer to time (repeatable; default: the two of CONVS)")
    parser.add_argument("--samples", type=int, default=10_000, help="quickstart samples")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, on the CUDA simulator without a GPU")
    args = parser.parse_args()
    args.layers = QUICKSTART
    args.convs = [tuple(c) for c in args.convs] if args.convs else CONVS
    if args.smoke:
        args.convs = ((1, 2, 4, 2),)
        args.sizes, args.lengths, args.reduce, args.samples, args.repeats = (8,), (64,), 8, 16, 1
        args.layers = (8, 8, 8, 4)
        if ctypes.util.find_library("cuda") is None:
            os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")
    return args


def gpu_libraries(smoke):
    """minitorch, and torch and cupy where they can use the GPU (else None); or stop, saying
    why, when minitorch has no GPU."""
    import minitorch

    if not minitorch.cuda.is_available() or (minitorch.cuda.simulated() and not smoke):
        sys.exit("benchmarks/gpu.py needs an NVIDIA GPU with its driver (and numba-cuda's "
                 "CUDA libraries: see the README); none was found here. (--smoke checks the "
                 "script on the CUDA simulator, with meaningless figures.)")
    torch = cupy = None
    try:
        import torch

        if not torch.cuda.is_available():
            print("note: PyTorch is installed without a usable GPU: its columns are left out")
            torch = None
    except ImportError:
        print("note: PyTorch is not installed: its columns are left out")
    try:
        import cupy
    except ImportError:
        pass
    return minitorch, torch, cupy


def synchronized(fn, *syncs):
    """`fn`, then a wait for the GPU of every library in `syncs`."""

    def run():
        out = fn()
        for sync in syncs:
            sync()
        return out

    return run


def timed(fn, sync, repeats):
    return timing.measure(synchronized(fn, sync), repeats=repeats, target=0.2)


def matmul_rows(mt, torch, cupy, sizes, repeats):
    import numpy as np

    rows = []
    for n in sizes:
        a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
        b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
        x, y = mt.tensor(a, device="cuda"), mt.tensor(b, device="cuda")
        ours = timed(lambda x=x, y=y: x @ y, mt.cuda.synchronize, repeats)
        flops = 2 * n**3
        want = (a.astype(np.float64) @ b) if n <= 1024 else None
        theirs = cupy_time = None
        if torch is not None:
            tx, ty = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
            theirs = timed(lambda tx=tx, ty=ty: tx @ ty, torch.cuda.synchronize, repeats)
            if want is None:
                want = (tx @ ty).cpu().numpy()
        if cupy is not None:
            cx, cy = cupy.asarray(a), cupy.asarray(b)
            cupy_time = timed(lambda cx=cx, cy=cy: cx @ cy,
                              cupy.cuda.Device().synchronize, repeats)
        got = (x @ y).cpu().numpy()
        match = "-" if want is None else str(np.allclose(got, want, rtol=1e-3, atol=1e-3 * n))
        rows.append([f"{n}x{n}", timing.seconds(ours), f"{flops / ours / 1e9:.0f}",
                     timing.seconds(theirs), "-" if theirs is None else
                     f"{flops / theirs / 1e9:.0f}", timing.ratio(theirs, ours),
                     timing.ratio(cupy_time, ours), match])
    timing.print_table(["matmul f32", "minitorch", "GFLOP/s", "PyTorch", "GFLOP/s", "ratio",
                        "CuPy ratio", "match"], rows)


def elementwise_rows(mt, torch, lengths, repeats):
    import numpy as np

    rows = []
    for n in lengths:
        a = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
        x = mt.tensor(a, device="cuda")
        ours = timed(lambda x=x: x + x, mt.cuda.synchronize, repeats)
        theirs = None
        if torch is not None:
            t = torch.from_numpy(a).cuda()
            theirs = timed(lambda t=t: t + t, torch.cuda.synchronize, repeats)
        match = np.array_equal((x + x).cpu().numpy(), a + a)
        rows.append([f"{n:.0e}", timing.seconds(ours), f"{12 * n / ours / 1e9:.0f}",
                     timing.seconds(theirs), timing.ratio(theirs, ours), str(match)])
    timing.print_table(["a + b f32", "minitorch", "GB/s", "PyTorch", "ratio", "match"], rows)


def reduce_rows(mt, torch, side, repeats):
    import numpy as np

    a = np.random.default_rng(0).standard_normal((side, side), dtype=np.float32)
    x = mt.tensor(a, device="cuda")
    ours = timed(lambda: x.sum(dim=1), mt.cuda.synchronize, repeats)
    theirs = None
    if torch is not None:
        t = torch.from_numpy(a).cuda()
        theirs = timed(lambda: t.sum(dim=1), torch.cuda.synchronize, repeats)
    match = np.allclose(x.sum(dim=1).cpu().numpy(), a.astype(np.float64).sum(axis=1),
                        rtol=1e-4, atol=1e-3)
    timing.print_table(["sum(dim=1)", "minitorch", "PyTorch", "ratio", "match"],
                       [[f"{side}x{side}", timing.seconds(ours), timing.seconds(theirs),
                         timing.ratio(theirs, ours), str(match)]])


def conv_step(lib, arrays, **device):
    """A function running conv2d forward + backward on `lib`'s tensors made from `arrays`
    (input, weight, bias, output gradient), and those tensors."""
    x, w, b = (lib.tensor(a, requires_grad=True, **device) for a in arrays[:3])
    grad = lib.tensor(arrays[3], **device)

    def step():
        out = lib.nn.functional.conv2d(x, w, b, padding=1)
        out.backward(grad)
        return out

    return step, (x, w, b)


def conv_results(lib, step, leaves):
    """The output and the three gradients of one fresh `step`, as NumPy arrays."""
    for leaf in leaves:
        leaf.grad = None
    out = step()
    return [t.detach().cpu().numpy() for t in (out, *(leaf.grad for leaf in leaves))]


def conv_rows(mt, torch, convs, repeats):
    import numpy as np

    rows = []
    for batch, channels, side, out_channels in convs:
        rng = np.random.default_rng(0)
        arrays = [rng.standard_normal(s, dtype=np.float32) for s in
                  ((batch, channels, side, side), (out_channels, channels, 3, 3),
                   (out_channels,), (batch, out_channels, side, side))]
        ours, leaves = conv_step(mt, arrays, device="cuda")
        ours_time = timed(ours, mt.cuda.synchronize, repeats)
        theirs = None
        if torch is not None:
            their_step, their_leaves = conv_step(torch, arrays, device="cuda")
            theirs = timed(their_step, torch.cuda.synchronize, repeats)
            want = conv_results(torch, their_step, their_leaves)
        else:  # the fast backend's kernels on the CPU (tested against PyTorch's)
            want = conv_results(mt, *conv_step(mt, arrays, backend="fast"))
        got = conv_results(mt, ours, leaves)
        scale = np.sqrt(batch * side * side)  # (of the largest sums: the bias's gradient)
        match = all(np.allclose(g, e, rtol=1e-3, atol=1e-3 * scale) for g, e in zip(got, want))
        rows.append([f"{batch}x{channels}x{side}x{side} -> {out_channels}",
                     timing.seconds(ours_time), timing.seconds(theirs),
                     timing.ratio(theirs, ours_time), str(match)])
    timing.print_table(["conv2d f32 fwd+bwd", "minitorch", "PyTorch", "ratio", "match"], rows)


def quickstart_epoch(lib, samples, layers, sync):
    """Seconds of one epoch of the quickstart MLP on `lib` ("cuda" tensors), and its loss."""
    import numpy as np

    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.random((samples, layers[0]), dtype=np.float32), device="cuda")
    y = lib.tensor(rng.integers(0, layers[-1], samples), device="cuda")
    n_in, hidden, hidden2, n_out = layers
    model = lib.nn.Sequential(lib.nn.Linear(n_in, hidden), lib.nn.ReLU(),
                              lib.nn.Linear(hidden, hidden2), lib.nn.ReLU(),
                              lib.nn.Linear(hidden2, n_out)).to("cuda")
    optimizer = lib.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step(start):
        optimizer.zero_grad()
        loss = loss_fn(model(x[start:start + 64]), y[start:start + 64])
        loss.backward()
        optimizer.step()
        return loss

    step(0)  # (compiles the kernels)
    sync()
    begin = time.perf_counter()
    losses = [step(start) for start in range(0, samples, 64)]
    sync()
    return time.perf_counter() - begin, statistics.mean(loss.item() for loss in losses)


def quickstart_rows(mt, torch, samples, layers):
    ours, our_loss = quickstart_epoch(mt, samples, layers, mt.cuda.synchronize)
    theirs = their_loss = None
    if torch is not None:
        theirs, their_loss = quickstart_epoch(torch, samples, layers, torch.cuda.synchronize)
    timing.print_table(["quickstart epoch", "minitorch", "loss", "PyTorch", "loss", "ratio"],
                       [[f"{samples} samples", timing.seconds(ours), f"{our_loss:.4f}",
                         timing.seconds(theirs), "-" if their_loss is None else
                         f"{their_loss:.4f}", timing.ratio(theirs, ours)]])


def main():
    args = arguments()
    mt, torch, cupy = gpu_libraries(args.smoke)
    timing.print_header("The GPU: minitorch's cuda backend against PyTorch CUDA",
                        "not pinned (GPU)")
    print(f"GPU: {mt.cuda.get_device_name(0)}"
          + (f" (PyTorch sees {torch.cuda.get_device_name(0)})" if torch is not None else ""))
    matmul_rows(mt, torch, cupy, args.sizes, args.repeats)
    elementwise_rows(mt, torch, args.lengths, args.repeats)
    reduce_rows(mt, torch, args.reduce, args.repeats)
    conv_rows(mt, torch, args.convs, args.repeats)
    quickstart_rows(mt, torch, args.samples, args.layers)


if __name__ == "__main__":
    main()
