"""Plots for training: learning curves and the decision boundary of a 2-D classifier.

Both functions draw into `ax` (a new figure when it is None) and return the matplotlib Axes,
so they work in notebooks, in scripts and headless (the Agg backend).

    >>> minitorch.plot.plot_history(history)
    >>> minitorch.plot.plot_decision_boundary(model, X, y)
"""

import math

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["plot_history", "plot_decision_boundary"]


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def _number(value):
    """A float from a Python number, a NumPy scalar or a one-element tensor; None if not."""
    if value is None or isinstance(value, (str, bytes)):
        return None
    if isinstance(value, Tensor):
        if value.numel() != 1:
            return None
        return float(value.detach().item())
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _curves(history):
    """{name: [value per epoch (NaN where missing)]} and the epoch numbers."""
    if isinstance(history, dict):
        columns = {}
        for name, values in history.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise TypeError(f"plot_history: history[{name!r}] should be a list of values "
                                f"per epoch, got {type(values).__name__}")
            columns[name] = [_number(v) for v in values]
    elif isinstance(history, (list, tuple)):
        columns = {}
        for i, row in enumerate(history):
            if not isinstance(row, dict):
                raise TypeError(f"plot_history: a list history holds one dict per epoch, but "
                                f"entry {i} is {type(row).__name__}")
            for name in row:
                columns.setdefault(name, [None] * i)
            for name, values in columns.items():
                values.append(_number(row.get(name)))
    else:
        raise TypeError("plot_history expects a dict of lists ({'loss': [...], ...}) or a "
                        f"list of dicts (one per epoch), got {type(history).__name__}")
    n = max((len(v) for v in columns.values()), default=0)
    epochs = columns.pop("epoch", None)
    if epochs is None or any(e is None for e in epochs) or len(epochs) != n:
        epochs = list(range(1, n + 1))
    curves = {}
    for name, values in columns.items():
        if all(v is None for v in values):
            continue  # not a numeric column (e.g. a note per epoch)
        values = values + [None] * (n - len(values))
        curves[name] = [math.nan if v is None else v for v in values]
    return epochs, curves


def _is_accuracy(name):
    name = name.lower()
    return "acc" in name or "score" in name or "f1" in name


def plot_history(history, ax=None):
    """Learning curves: one line per metric, against the epoch (1, 2, ... or `epoch` values).

    `history` is a dict of lists, `{"loss": [...], "val_loss": [...], "accuracy": [...]}`, or
    a list with one dict per epoch, `[{"loss": 0.9, "accuracy": 0.6}, ...]`. Values may be
    numbers or one-element tensors; missing values leave gaps. Losses are drawn on `ax`;
    accuracies (names containing "acc") on a second y-axis at the right, `ax.right_ax`, when
    there are losses too. Returns `ax`.
    """
    epochs, curves = _curves(history)
    if not curves:
        raise ValueError("plot_history: the history holds no numeric values to plot")
    ax = _axes(ax)
    losses = {k: v for k, v in curves.items() if not _is_accuracy(k)}
    accuracies = {k: v for k, v in curves.items() if _is_accuracy(k)}
    right = ax.twinx() if losses and accuracies else None
    marker = "o" if len(epochs) <= 30 else None
    for name, values in losses.items():
        ax.plot(epochs, values, marker=marker, label=name)
    acc_ax = right if right is not None else ax
    styles = iter(["--", "-.", ":"] * len(accuracies))
    for i, (name, values) in enumerate(accuracies.items()):
        color = f"C{len(losses) + i}"
        acc_ax.plot(epochs, values, marker=marker, color=color,
                    linestyle=next(styles) if right is not None else "-", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if losses else "accuracy")
    if right is not None:
        right.set_ylabel("accuracy")
        ax.right_ax = right
        lines = ax.get_lines() + right.get_lines()
        ax.legend(lines, [line.get_label() for line in lines], loc="best")
    else:
        ax.legend(loc="best")
    if all(float(e).is_integer() for e in epochs) and len(epochs) <= 20:
        ax.set_xticks(list(epochs))
    ax.grid(True, alpha=0.3)
    return ax


def _as_numpy(values, what):
    if isinstance(values, Tensor):
        return values.detach().numpy()
    try:
        return np.asarray(values)
    except Exception as err:
        raise TypeError(f"plot_decision_boundary: cannot read {what} of type "
                        f"{type(values).__name__}") from err


def _scores(model, grid):
    """The model's outputs on `grid` (an (M, 2) float32 tensor) as a NumPy array, in eval
    mode and without recording a graph."""
    training = getattr(model, "training", None)
    if training and callable(getattr(model, "eval", None)):
        model.eval()
    try:
        with no_grad():
            out = model(grid)
    finally:
        if training and callable(getattr(model, "train", None)):
            model.train(True)
    return _as_numpy(out, "the model's output").astype(np.float64)


def plot_decision_boundary(model, X, y, ax=None, resolution=200):
    """Colour the plane by what a 2-D classifier predicts, and draw the points on top.

    `model` is any callable taking an (M, 2) float32 tensor. It may return (M,) or (M, 1)
    scores for class 1 (probabilities in [0, 1], or logits when some fall outside, which are
    passed through a sigmoid), or (M, C) class scores (the prediction is the argmax). It is
    called once on a `resolution` x `resolution` grid that covers `X` with a margin, under
    `no_grad()` and in eval mode. `X` is (N, 2) and `y` (N,) class labels (tensors or
    arrays); each class is one scatter. Returns `ax`.
    """
    from .creation import tensor

    X = _as_numpy(X, "X").astype(np.float64)
    y = _as_numpy(y, "y").reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points: X of shape (N, 2), got "
                         f"{list(X.shape)}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"plot_decision_boundary: X has {X.shape[0]} points but y has "
                         f"{y.shape[0]} labels")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    ax = _axes(ax)

    if X.shape[0]:
        low, high = X.min(axis=0), X.max(axis=0)
    else:
        low, high = np.zeros(2), np.ones(2)
    margin = np.maximum((high - low) * 0.1, 0.05)
    low, high = low - margin, high + margin
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    scores = _scores(model, tensor(grid))
    m = grid.shape[0]

    import matplotlib.colors as mcolors

    if scores.ndim == 2 and scores.shape == (m, 1):
        scores = scores[:, 0]
    if scores.ndim == 1 and scores.shape[0] == m:
        if scores.min() < 0 or scores.max() > 1:  # logits
            scores = 1.0 / (1.0 + np.exp(-np.clip(scores, -60, 60)))
        surface = scores.reshape(gx.shape)
        ax.contourf(gx, gy, surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        if surface.min() < 0.5 < surface.max():
            ax.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1.5)
    elif scores.ndim == 2 and scores.shape[0] == m:
        n_classes = scores.shape[1]
        predicted = scores.argmax(axis=1).reshape(gx.shape)
        colors = [f"C{k}" for k in range(n_classes)]
        ax.contourf(gx, gy, predicted, levels=np.arange(n_classes + 1) - 0.5,
                    cmap=mcolors.ListedColormap(colors), alpha=0.35)
    else:
        raise ValueError(
            f"plot_decision_boundary: the model mapped {m} points to an output of shape "
            f"{list(scores.shape)}; expected ({m},), ({m}, 1) or ({m}, C)"
        )

    classes = np.unique(y)
    zero_one = scores.ndim == 1 and all(label in (0, 1) for label in classes.tolist())
    for k, label in enumerate(classes):
        mask = y == label
        if zero_one:  # the colours of the RdBu_r surface: 0 blue, 1 red
            color = "tab:red" if label == 1 else "tab:blue"
        elif np.issubdtype(classes.dtype, np.integer):
            color = f"C{int(label) % 10}"  # the colour of its region
        else:
            color = f"C{k % 10}"
        ax.scatter(X[mask, 0], X[mask, 1], s=18, color=color, edgecolors="k", linewidths=0.5,
                   label=f"class {label}")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if len(classes):
        ax.legend(loc="best")
    return ax
