"""The printed form of a tensor: PyTorch's `repr`, with `minitorch.` where PyTorch says `torch.`.

A student who compares `print(x)` in minitorch with the same line in PyTorch should see the same
text, so this module follows PyTorch's rules to the character. They were learnt by printing many
tensors with PyTorch, and they come in three layers:

1. One `_Formatter` per tensor turns every element into text of a common width. For floats it
   picks one of three styles from the nonzero finite values: whole numbers (`1.`), fixed point
   (`1.5000`) or scientific (`1.5000e+10`).
2. `_body` lays the elements out as nested brackets: one row per line, wrapped at the line width,
   blank lines between the slices of 3-d and higher tensors, and `...` in place of the middle of
   every long dimension when the tensor has more than `threshold` elements.
3. `tensor_repr` adds the suffixes (`size=...`, `dtype=...`, then the caller's, such as
   `requires_grad=True`), moving one onto a new line when it does not fit.

`set_printoptions` changes the knobs, with the same names and defaults as
`torch.set_printoptions`.
"""

import math
from dataclasses import dataclass

import numpy as np

from minitorch.dtypes import bool_, get_default_dtype, int64

__all__ = ["set_printoptions", "tensor_repr"]

_PREFIX = "tensor("


@dataclass
class _PrintOptions:
    """The current print options; `set_printoptions` changes them."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": _PrintOptions(),
    "short": _PrintOptions(precision=2, edgeitems=2),
    "full": _PrintOptions(threshold=math.inf),
}

_options = _PrintOptions()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Change how tensors print, as `torch.set_printoptions` does.

    precision: digits after the decimal point (4). threshold: above this many elements a tensor is
    summarized with `...` (1000). edgeitems: elements kept at each end of a summarized dimension
    (3). linewidth: characters per line before wrapping (80). profile: "default", "short" or
    "full" sets the four options above at once, and the options given with it win; PyTorch
    ignores an unknown profile name, and so does this. sci_mode: True or False forces scientific
    notation on or off for floats; None lets each tensor choose. Like PyTorch, every call sets
    `sci_mode`, so leaving it out turns a forced mode off again.
    """
    if profile in _PROFILES:
        chosen = _PROFILES[profile]
        _options.precision = chosen.precision
        _options.threshold = chosen.threshold
        _options.edgeitems = chosen.edgeitems
        _options.linewidth = chosen.linewidth
    if precision is not None:
        _options.precision = precision
    if threshold is not None:
        _options.threshold = threshold
    if edgeitems is not None:
        _options.edgeitems = edgeitems
    if linewidth is not None:
        _options.linewidth = linewidth
    _options.sci_mode = sci_mode


class _Formatter:
    """Turns the elements of one tensor into strings right-aligned to one common width.

    It is built from the values that will be shown (the corners of a summarized tensor), so a
    hidden element never changes the style or the width.

    Integers and booleans print as Python prints them. A float tensor chooses its style from its
    nonzero finite values only; zeros, nan and inf follow whatever those values chose:

    - all of them whole numbers: `1.`, `-20.`, unless the largest is more than 1000 times the
      smallest or above 1e8, which makes it scientific;
    - otherwise fixed point with `precision` decimals, unless the largest is more than 1000 times
      the smallest, above 1e8, or the smallest is below 1e-4: then scientific.

    `sci_mode` from `set_printoptions` overrides that choice, except for a tensor with no nonzero
    finite value, which always prints in the whole-number style (`0.`, `nan`).

    The width is the longest of the nonzero finite values (at least 1). Zeros, nan and inf are
    padded to it but never widen it, so `-0.` or `-inf` may stick out: `tensor([1., -inf])`.
    """

    def __init__(self, values, is_floating_point):
        flat = values.ravel()
        self.sci_mode = False
        self.whole_numbers = False
        if not is_floating_point:
            self.to_text = str
            texts = [str(v) for v in flat.tolist()]
        else:
            self.to_text = self._float_text
            flat = flat.astype(np.float64)
            shown = flat[np.isfinite(flat) & (flat != 0)]
            self.whole_numbers = bool(np.all(shown == np.ceil(shown)))
            if shown.size:
                self.sci_mode = self._chooses_sci(np.abs(shown))
            texts = [self._float_text(v) for v in shown.tolist()]
        self.width = max([1, *map(len, texts)])

    def _chooses_sci(self, magnitudes):
        """Whether nonzero finite `magnitudes` print in scientific notation."""
        if _options.sci_mode is not None:
            return _options.sci_mode
        largest, smallest = float(magnitudes.max()), float(magnitudes.min())
        too_wide = largest / smallest > 1000 or largest > 1e8
        if self.whole_numbers:
            return too_wide
        return too_wide or smallest < 1e-4

    def _float_text(self, value):
        if self.sci_mode:
            return f"{value:.{_options.precision}e}"
        if self.whole_numbers:
            return f"{value:.0f}." if math.isfinite(value) else f"{value}"
        return f"{value:.{_options.precision}f}"

    def __call__(self, value):
        """`value` (a Python number) as text, padded on the left to the common width."""
        return self.to_text(value).rjust(self.width)


def _kept_indices(size, summarize):
    """Indices shown along a dimension of `size`, with None where `...` goes."""
    edge = _options.edgeitems
    if summarize and size > 2 * edge:
        return [*range(edge), None, *range(size - edge, size)]
    return list(range(size))


def _summarized(values):
    """Only the corners of `values` that a summarized print shows (`edgeitems` per end)."""
    for axis, size in enumerate(values.shape):
        kept = [i for i in _kept_indices(size, True) if i is not None]
        values = values.take(kept, axis=axis)
    return values


def _row(values, fmt, indent, summarize):
    """A 1-d tensor: `[a, b, c]`, wrapped so that each line holds as many elements as fit.

    PyTorch counts how many padded elements (plus ", ") fit in `linewidth - indent` and puts that
    many on every line (at least one); a `...` counts as one element.
    """
    items = [" ..." if i is None else fmt(values[i]) for i in _kept_indices(len(values), summarize)]
    per_line = max(1, (_options.linewidth - indent) // (fmt.width + 2))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(values, fmt, indent, summarize):
    """`values` in nested brackets; `indent` is the column of its opening bracket.

    The slices of an n-d tensor are separated by a comma and n-1 line breaks, so rows of a matrix
    sit on consecutive lines and the matrices of a 3-d tensor have one blank line between them.
    """
    if values.ndim == 0:
        return fmt(values.item())
    if values.ndim == 1:
        return _row(values.tolist(), fmt, indent, summarize)
    parts = [
        "..." if i is None else _body(values[i], fmt, indent + 1, summarize)
        for i in _kept_indices(len(values), summarize)
    ]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _dtype_suffixes(values, dtype):
    """The suffixes PyTorch derives from the data itself: `size=` and `dtype=`.

    The dtype is left out when it is the one PyTorch would infer from Python values (the default
    float, int64, bool). An empty tensor shows its shape unless it is 1-d, and its dtype unless
    it is the default float: `tensor([])` does not say whether it once held ints.
    """
    default = get_default_dtype()
    if values.size == 0:
        size = [f"size={tuple(values.shape)}"] if values.ndim != 1 else []
        return size + ([f"dtype={dtype!r}"] if dtype is not default else [])
    if dtype in (default, int64, bool_):
        return []
    return [f"dtype={dtype!r}"]


def _add_suffixes(text, suffixes):
    """Append `, suffix` for each suffix, starting a new line before one that does not fit.

    PyTorch's bookkeeping, reproduced as is: a suffix moves to a new line (indented under the
    first bracket) when the current line length + 2, plus 2 + the suffix, exceeds `linewidth`.
    The current line is counted 2 characters long at first and exactly after a line break, so a
    suffix after a break can make the line one character longer than the first line could be.
    PyTorch measures its own spelling, `dtype=torch.float64`, so the same decision is taken here
    and the line breaks fall where PyTorch's do.
    """
    used = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        length = len(suffix.replace("minitorch.", "torch."))
        if used + length + 2 > _options.linewidth:
            text += ",\n" + " " * len(_PREFIX) + suffix
            used = len(_PREFIX) + length
        else:
            text += ", " + suffix
            used += length + 2
    return text + ")"


def tensor_repr(values, dtype, suffixes=(), device=None):
    """The text PyTorch prints for a tensor holding `values` (a NumPy array) of `dtype`.

    `device` (such as `"device='cuda:0'"`, for tensors off the CPU) comes first; `suffixes`
    (such as `"requires_grad=True"`, `"grad_fn=<MulBackward0>"`) follow the size and dtype.
    Example: `tensor([[1., 2.],\\n        [3., 4.]], dtype=minitorch.float64)`.
    """
    if values.size == 0:
        body = "[]"
    else:
        summarize = values.size > _options.threshold
        fmt = _Formatter(_summarized(values) if summarize else values, dtype.is_floating_point)
        body = _body(values, fmt, len(_PREFIX), summarize)
    first = [device] if device else []
    return _add_suffixes(_PREFIX + body, [*first, *_dtype_suffixes(values, dtype), *suffixes])
