"""`minitorch.nn.functional`: activations, dropout, `linear`, `one_hot` and the losses, as
functions of tensors (PyTorch's `torch.nn.functional`, usually imported as `F`); the
convolutions (`conv`), pooling (`pooling`) and `pad` (`sliding`) are written in modules of
their own and exported here.

Each is written with tensor operations, so autograd differentiates it; the few whose
gradient the chain rule would get wrong at an edge (`logsigmoid` at 0, `binary_cross_entropy`
at probabilities of exactly 0 or 1) are `Function`s with their backward written out.

Losses take `reduction='mean'` (the default), `'sum'` or `'none'` (one loss per element).
With class weights, `'mean'` is the *weighted* mean: $\\sum_i w_i \\ell_i / \\sum_i w_i$.
"""

import math
import warnings

import numpy as np

from .. import dtypes
from .. import inplace as in_place
from ..autodiff import Function
from ..creation import empty, empty_like
from ..linalg import addmm
from ..reductions import softmax_input
from ..shape_ops import broadcast_shapes
from ..tensor import Tensor
from ..tensor_functions import where
from .activations import elu, hardtanh, mish, silu, softplus
from .conv import conv1d, conv2d, fold, unfold
from .normalization import group_norm, rms_norm
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .sliding import pad

_REDUCTIONS = ("mean", "sum", "none")


# ----- helpers ---------------------------------------------------------------------------
def _reduction(reduction, size_average=None, reduce=None):
    """The reduction to apply, checked; the deprecated `size_average` / `reduce` arguments
    translated as PyTorch does."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.", stacklevel=3,
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction: expected one of 'mean', "
            "'sum' or 'none'"
        )
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_tensor(name, arg, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _check_floating(name, x, arg="input"):
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): expected a floating-point {arg}, got dtype {x.dtype.torch_name} "
            f"(convert it with .float())"
        )


# ----- activations -----------------------------------------------------------------------
def relu(input, inplace=False):
    r"""$\max(0, x)$ elementwise."""
    return input.relu_() if inplace else input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    r"""$x$ where $x > 0$, else $\mathrm{negative\_slope} \cdot x$, elementwise; with
    `inplace=True` the result is written into `input`."""
    if inplace:
        return in_place.update(input, "leaky_relu_", lambda x: leaky_relu(x, negative_slope))
    # BEGIN SOLUTION 3.4
    return where(input > 0, input, input * negative_slope)
    # END SOLUTION


def sigmoid(input):
    r"""$\sigma(x) = 1 / (1 + e^{-x})$ elementwise."""
    return input.sigmoid()


def tanh(input):
    r"""$\tanh x$ elementwise."""
    return input.tanh()


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(input, approximate="none"):
    r"""Gaussian error linear unit: $x \Phi(x) = \frac{x}{2}(1 + \mathrm{erf}(x / \sqrt 2))$.

    `approximate='tanh'`: $\frac{x}{2}(1 + \tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))$.
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu(): approximate argument must be either 'none' or 'tanh', got {approximate!r}"
        )
    # BEGIN SOLUTION 3.4
    if approximate == "none":
        return input * 0.5 * (1.0 + (input * _SQRT_HALF).erf())
    inner = (input + 0.044715 * input * input * input) * _SQRT_2_OVER_PI
    return input * 0.5 * (1.0 + inner.tanh())
    # END SOLUTION


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""$e^{x_i} / \sum_j e^{x_j}$ along `dim` (the values along `dim` sum to 1).

    Computed as $e^{x_i - \mathrm{logsumexp}(x)}$: stable for large inputs.
    """
    if dim is None:
        dim = _implicit_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""$x_i - \ln \sum_j e^{x_j}$ along `dim`: the log of `softmax`, computed stably as
    $(x_i - m) - \ln \sum_j e^{x_j - m}$ with $m = \max_j x_j$, a constant for autograd
    (every $e^{x_j - m} \le 1$, so nothing overflows, and the largest is exactly 1).

    `dtype`: cast the input to it first.
    """
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim(), _stacklevel)
    x, dim = softmax_input(input, "log_softmax", dim, dtype)  # checked; dim is >= 0
    # BEGIN SOLUTION 5.2
    shifted = x - x.amax(dim, keepdim=True).detach()
    return shifted - shifted.exp().sum(dim, keepdim=True).log()
    # END SOLUTION


class LogSigmoid(Function):
    r"""$\ln \sigma(x) = \min(x, 0) - \ln(1 + e^{-|x|})$ (no overflow); the derivative is
    $\sigma(-x)$ (0.5 at $x = 0$, where the pieces of the formula meet)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(max=0.0) - (-x.abs()).exp().log1p()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


def logsigmoid(input):
    r"""$\ln \sigma(x) = -\ln(1 + e^{-x})$ elementwise, computed without overflow."""
    _check_floating("logsigmoid", input)
    return LogSigmoid.apply(input)


# ----- dropout, linear, one_hot ----------------------------------------------------------
def dropout(input, p=0.5, training=True, inplace=False):
    r"""In training, each element is zeroed with probability `p` and the others are scaled by
    $1 / (1 - p)$, so the expected value is unchanged. Not in training: the input itself.

    The mask comes from minitorch's random generator: `minitorch.manual_seed` repeats it.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if inplace:
        if not training:
            return input
        return in_place.update(input, "dropout_", lambda x: dropout(x, p, training=True))
    # BEGIN SOLUTION 3.5
    if not training:
        return input
    if p == 1.0:
        return input * 0.0
    mask = empty_like(input, dtype=input.dtype).bernoulli_(1.0 - p)
    return input * (mask / (1.0 - p))
    # END SOLUTION


def dropout2d(input, p=0.5, training=True, inplace=False):
    r"""Channel dropout: in training, each channel of each sample (`input[n, c]`, a whole
    feature map) is zeroed with probability `p`, the others scaled by $1 / (1 - p)$. For
    (N, C, H, W) or (C, H, W) inputs; a 3-D input is read as (N, C, L), as PyTorch does."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2,
        )
    elif input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if not training:
        return input
    if inplace:
        return in_place.update(input, "dropout2d_", lambda x: dropout2d(x, p, training=True))
    if p == 1.0:
        return input * 0.0
    shape = tuple(input.shape[:2]) + (1,) * max(input.dim() - 2, 0)
    mask = empty(shape, dtype=input.dtype, backend=input.backend).bernoulli_(1.0 - p)
    return input * (mask / (1.0 - p))


def linear(input, weight, bias=None):
    r"""$y = x W^T + b$ for `input` (*, in_features), `weight` (out_features, in_features)
    and `bias` (out_features,); any leading dimensions of `input` are kept."""
    _check_tensor("linear", "input", input)
    _check_tensor("linear", "weight", weight)
    in_features = weight.shape[-1] if weight.dim() else None
    if input.dim() == 0 or weight.dim() not in (1, 2) or input.shape[-1] != in_features:
        raise RuntimeError(
            f"linear(): input of shape {list(input.shape)} and weight of shape "
            f"{list(weight.shape)} cannot be multiplied: the input's last dimension must equal "
            "the weight's last dimension (in_features)"
        )
    if bias is None:
        return input.matmul(weight.t())
    expected = tuple(weight.shape[:1]) if weight.dim() == 2 else ()
    if bias.dim() > 1 or (bias.dim() == 1 and bias.shape[0] not in (1, *expected)):
        raise RuntimeError(
            f"linear(): bias of shape {list(bias.shape)} does not match the weight of "
            f"shape {list(weight.shape)} (expected shape {list(expected)})"
        )
    if weight.dim() == 1:
        return input.matmul(weight) + bias
    # as PyTorch: one addmm over the rows (AddmmBackward0), viewed back to the input's shape
    if input.dim() == 2:
        return addmm(bias, input, weight.t())
    rows = input.reshape(-1, in_features)
    return addmm(bias, rows, weight.t()).view(*input.shape[:-1], weight.shape[0])


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Normalise each sample over its last `len(normalized_shape)` dimensions:
    $y = (x - \mu) / \sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta$, with the mean $\mu$ and
    the biased variance $\sigma^2$ of those dimensions, and `weight` $\gamma$ and `bias`
    $\beta$ (of shape `normalized_shape`) when given."""
    _check_tensor("layer_norm", "input", input)
    normalized_shape = tuple(normalized_shape)
    n = len(normalized_shape)
    if input.dim() < n or tuple(input.shape[input.dim() - n:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with "
            f"shape [*, {', '.join(str(s) for s in normalized_shape)}], but got input "
            f"of size{list(input.shape)}"
        )
    # BEGIN SOLUTION 3.6
    dims = tuple(range(-n, 0))
    centered = input - input.mean(dims, keepdim=True)
    variance = (centered * centered).mean(dims, keepdim=True)
    out = centered / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
    # END SOLUTION


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) to one-hot rows: the result has shape (*tensor.shape,
    num_classes) and dtype int64, with 1 at each index and 0 elsewhere.

    `num_classes=-1` takes the largest index + 1.
    """
    _check_tensor("one_hot", "tensor", tensor)
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor (int64), got "
            f"{tensor.dtype.torch_name} (convert it with .long())"
        )
    values = tensor._data.numpy()
    if num_classes == -1:
        if values.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    if values.size and values.min() < 0:
        raise RuntimeError(f"one_hot(): Class values must be non-negative (got {values.min()})")
    if values.size and values.max() >= num_classes:
        raise RuntimeError(
            f"one_hot(): Class values must be smaller than num_classes (got {values.max()} "
            f"with num_classes={num_classes})"
        )
    out = (values[..., None] == np.arange(num_classes)).astype(np.int64)
    return tensor._make_from_numpy(out, dtypes.int64)


# ----- regression losses -----------------------------------------------------------------
def _broadcast_pair(name, input, target):
    _check_tensor(name, "input", input)
    _check_tensor(name, "target", target)
    if input.shape != target.shape:
        warnings.warn(
            f"{name}(): Using a target size ({target.shape}) that is different to the input "
            f"size ({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3,
        )


def _reduce_elementwise(name, loss, input, weight, reduction):
    r"""`loss` (one value per element) reduced as `reduction` says, each element weighted by
    `weight` when it is given: `'none'` the (weighted) losses themselves, `'sum'` their sum,
    `'mean'` their mean, and with weights the *weighted* mean $\sum_i w_i \ell_i / \sum_i w_i$.
    """
    if weight is not None and weight.shape != input.shape:
        raise ValueError(
            f"{name}(): weights of shape {list(weight.shape)} and input of shape "
            f"{list(input.shape)} must have the same size."
        )
    # BEGIN SOLUTION 5.1
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
    # END SOLUTION


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean squared error: $\ell_i = (x_i - y_i)^2$, then the reduction."""
    reduction = _reduction(reduction, size_average, reduce)
    _broadcast_pair("mse_loss", input, target)
    diff = _difference("mse_loss", input, target)
    # BEGIN SOLUTION 5.1
    loss = diff * diff
    # END SOLUTION
    return _reduce_elementwise("mse_loss", loss, input, weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean absolute error: $\ell_i = |x_i - y_i|$, then the reduction."""
    reduction = _reduction(reduction, size_average, reduce)
    _broadcast_pair("l1_loss", input, target)
    diff = _difference("l1_loss", input, target)
    # BEGIN SOLUTION 5.1
    loss = diff.abs()
    # END SOLUTION
    return _reduce_elementwise("l1_loss", loss, input, weight, reduction)


def _difference(name, input, target):
    try:
        return input - target
    except RuntimeError as e:
        raise RuntimeError(
            f"{name}(): input of shape {list(input.shape)} and target of shape "
            f"{list(target.shape)} cannot be broadcast together ({e})"
        ) from None


# ----- binary classification -------------------------------------------------------------
class BinaryCrossEntropy(Function):
    r"""$-[y \ln x + (1 - y) \ln(1 - x)]$ elementwise, each log clamped at $-100$ (so that
    $x = 0$ or $1$ gives a finite loss). Its gradients, written out so that they stay finite
    there too (as PyTorch): $\partial/\partial x = (x - y) / \max(x(1 - x), 10^{-12})$ and
    $\partial/\partial y = \ln(1 - x) - \ln x$ (clamped logs)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        log_x, log_1mx = _clamped_logs(x)
        return -(y * log_x + (1 - y) * log_1mx)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad_x = grad * (x - y) / (x * (1 - x)).clamp_min(1e-12)
        grad_y = None
        if (ctx.needs_input_grad or (True, True))[1]:
            log_x, log_1mx = _clamped_logs(x)
            grad_y = grad * (log_1mx - log_x)
        return grad_x, grad_y


def _clamped_logs(x):
    return x.log().clamp_min(-100.0), (-x).log1p().clamp_min(-100.0)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    r"""Binary cross-entropy of probabilities `input` in [0, 1] and targets `target`:
    $\ell_i = -w_i [y_i \ln x_i + (1 - y_i) \ln(1 - x_i)]$, logs clamped at $-100$.

    For raw scores (logits) use `binary_cross_entropy_with_logits`: it is more stable.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensor("binary_cross_entropy", "input", input)
    _check_tensor("binary_cross_entropy", "target", target)
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy(): Using a target size ({target.shape}) that is different "
            f"to the input size ({input.shape}) is deprecated. Please ensure they have the "
            "same size."
        )
    _check_floating("binary_cross_entropy", input)
    values = input.detach()
    if input.numel() and not bool(((values >= 0) & (values <= 1)).all()):
        raise RuntimeError(
            "binary_cross_entropy(): all elements of input should be between 0 and 1 (they "
            "are probabilities: apply sigmoid first, or use binary_cross_entropy_with_logits)"
        )
    target = target if target.dtype is input.dtype else target.to(input.dtype)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    r"""Binary cross-entropy of logits $x$ (the sigmoid is applied inside, stably):
    $\ell_i = -w_i [p\, y_i \ln \sigma(x_i) + (1 - y_i) \ln(1 - \sigma(x_i))]$, with
    `pos_weight` $p$ (per class, broadcast along the last dimension; 1 by default).

    Computed as $(1 - y) x - (1 + (p - 1) y) \ln \sigma(x)$, which never overflows.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensor("binary_cross_entropy_with_logits", "input", input)
    _check_tensor("binary_cross_entropy_with_logits", "target", target)
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits(): Target size ({target.shape}) must be the "
            f"same as input size ({input.shape})"
        )
    _check_floating("binary_cross_entropy_with_logits", input)
    # BEGIN SOLUTION 5.3
    log_sig = logsigmoid(input)
    if pos_weight is None:
        loss = (1 - target) * input - log_sig
    else:
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * log_sig
    # END SOLUTION
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ----- multi-class classification --------------------------------------------------------
def _class_dim(name, input, target):
    """The class dimension of `input` (0 for (C,), else 1), after PyTorch's shape checks
    (written out with both shapes)."""
    if input.dim() == 0:
        raise ValueError(f"{name}(): input must have the class dimension: (C,), (N, C) or "
                         f"(N, C, d1, ...), got a 0-d input")
    if input.dim() == 1:
        if target.dim() != 0:
            raise ValueError(
                f"{name}(): an input of shape {list(input.shape)} (one sample, C classes) "
                f"needs a 0-d target, got target of shape {list(target.shape)}"
            )
        return 0
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if target.dim() >= 1 and target.shape[0] != input.shape[0]:
        raise ValueError(
            f"{name}(): Expected input batch_size ({input.shape[0]}) to match target "
            f"batch_size ({target.shape[0]}): input of shape {list(input.shape)}, target of "
            f"shape {list(target.shape)}"
        )
    if tuple(target.shape) != expected:
        raise RuntimeError(
            f"{name}(): Expected target size {list(expected)}, got {list(target.shape)} (input "
            f"of shape {list(input.shape)}: the target has one class index per sample, without "
            "the class dimension)"
        )
    return 1


def _check_targets(name, target, n_classes, ignore_index):
    if target.dtype.is_floating_point or target.dtype is dtypes.bool_:
        raise RuntimeError(
            f"{name}(): expected class indices of dtype int64 as target, got "
            f"{target.dtype.torch_name} (convert with .long(); for class probabilities, "
            "cross_entropy takes a floating-point target of the input's shape)"
        )
    if target.is_cuda:
        return  # (the GPU's kernel checks them, as PyTorch's device-side assert)
    values = target._data.numpy()
    bad = values[(values != ignore_index) & ((values < 0) | (values >= n_classes))]
    if bad.size:
        raise IndexError(
            f"{name}(): Target {int(bad.flat[0])} is out of bounds: there are {n_classes} "
            f"classes, so class indices must lie in [0, {n_classes - 1}]"
            + (f" (or be ignore_index={ignore_index})" if ignore_index != -100 else "")
        )


def _check_weight(name, weight, n_classes):
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"{name}(): weight tensor should be defined either for all {n_classes} classes or "
            f"no classes but got weight tensor of shape: {list(weight.shape)}"
        )


def _broadcast_over_classes(weight, ndim, class_dim):
    """`weight` (C,) shaped to broadcast along the class dimension of an `ndim` input."""
    return weight.reshape([-1 if d == class_dim else 1 for d in range(ndim)])


def _nll(input, target, weight, ignore_index, reduction, class_dim):
    """The negative log-likelihood of log-probabilities `input` for class indices `target`
    (`safe`: the same, with 0 where ignored), weighted by `w` (0 where ignored); and `w`."""
    keep = target != ignore_index
    safe = target.masked_fill(~keep, 0).long()
    w = keep.to(input.dtype)
    if weight is not None:
        w = w * weight.to(input.dtype)[safe]
    # BEGIN SOLUTION 5.2
    picked = input.gather(class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim)
    loss = -picked * w
    # END SOLUTION
    if reduction == "none":
        return loss, w
    if reduction == "sum":
        return loss.sum(), w
    return loss.sum() / w.sum(), w


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    r"""Negative log-likelihood of log-probabilities `input` (N, C) (or (C,), or
    (N, C, d1, ...)) and class indices `target` (N,): $\ell_i = -w_{y_i} x_{i, y_i}$.

    Samples whose target is `ignore_index` count for nothing. `'mean'` is the weighted
    mean $\sum_i \ell_i / \sum_i w_{y_i}$.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensor("nll_loss", "input", input)
    _check_tensor("nll_loss", "target", target)
    class_dim = _class_dim("nll_loss", input, target)
    n_classes = input.shape[class_dim]
    _check_targets("nll_loss", target, n_classes, ignore_index)
    _check_weight("nll_loss", weight, n_classes)
    loss, _ = _nll(input, target, weight, ignore_index, reduction, class_dim)
    return loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    r"""Cross-entropy of raw scores (logits) `input` (N, C) (or (C,), or (N, C, d1, ...))
    against class indices `target` (N,) (or class probabilities of `input`'s shape):

    $\ell_i = -w_{y_i} \ln \mathrm{softmax}(x_i)_{y_i} = w_{y_i}(\mathrm{logsumexp}(x_i) -
    x_{i, y_i})$, i.e. `nll_loss(log_softmax(input, class_dim), target)`.

    `label_smoothing` $\varepsilon$ mixes the target with the uniform distribution:
    $(1 - \varepsilon) \ell_i + \frac{\varepsilon}{C} \sum_c -w_c \ln \mathrm{softmax}(x_i)_c$.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensor("cross_entropy", "input", input)
    _check_tensor("cross_entropy", "target", target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"cross_entropy(): label_smoothing must be between 0.0 and 1.0. Got: "
            f"{label_smoothing}"
        )
    _check_floating("cross_entropy", input)
    if target.dtype.is_floating_point and target.shape == input.shape and input.dim() >= 1:
        return _cross_entropy_with_probabilities(input, target, weight, reduction,
                                                 label_smoothing)
    class_dim = _class_dim("cross_entropy", input, target)
    n_classes = input.shape[class_dim]
    _check_targets("cross_entropy", target, n_classes, ignore_index)
    _check_weight("cross_entropy", weight, n_classes)
    log_p = log_softmax(input, class_dim)
    loss, w = _nll(log_p, target, weight, ignore_index, reduction, class_dim)
    if label_smoothing == 0.0:
        return loss
    if weight is not None:
        log_p = log_p * _broadcast_over_classes(weight.to(log_p.dtype), input.dim(), class_dim)
    smooth = -log_p.sum(class_dim).masked_fill(target == ignore_index, 0.0)
    if reduction == "mean":
        smooth = smooth.sum() / w.sum()
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / n_classes)


def _cross_entropy_with_probabilities(input, target, weight, reduction, label_smoothing):
    """Cross-entropy against class probabilities: $-\\sum_c w_c y_{ic} \\ln p_{ic}$; the
    mean is over the samples (not weighted)."""
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    _check_weight("cross_entropy", weight, n_classes)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = log_softmax(input, class_dim) * target
    if weight is not None:
        terms = terms * _broadcast_over_classes(weight.to(input.dtype), input.dim(), class_dim)
    loss = -terms.sum(class_dim)
    return _reduce(loss, reduction)


# ----- robust regression losses and divergences ---------------------------------------------
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    r"""Huber loss: $\frac12 d^2$ where $|d| < \delta$, else $\delta (|d| - \frac12 \delta)$,
    for $d = x - y$, then the reduction: squared near 0, absolute (robust) far from it."""
    reduction = _reduction(reduction)
    _broadcast_pair("huber_loss", input, target)
    diff = _difference("huber_loss", input, target)
    size = diff.abs()
    loss = where(size < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))
    return _reduce_elementwise("huber_loss", loss, input, weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    r"""Smooth L1: $\frac12 d^2 / \beta$ where $|d| < \beta$, else $|d| - \frac12 \beta$,
    for $d = x - y$, then the reduction (`beta=0` is the L1 loss)."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _broadcast_pair("smooth_l1_loss", input, target)
    diff = _difference("smooth_l1_loss", input, target)
    size = diff.abs()
    if beta == 0:
        return _reduce(size, reduction)
    return _reduce(where(size < beta, 0.5 * diff * diff / beta, size - 0.5 * beta), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence of the log-probabilities `input` from `target`
    (probabilities, or log-probabilities with `log_target=True`): $y (\ln y - x)$ per element
    (0 where $y = 0$). `reduction='batchmean'` divides the sum by the batch size, which is the
    divergence's definition; `'mean'` divides by the number of elements."""
    if reduction == "batchmean" and size_average is None and reduce is None:
        batchmean = True
    else:
        batchmean, reduction = False, _reduction(reduction, size_average, reduce)
    if reduction == "mean" and not batchmean:
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", stacklevel=2,
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = where(target > 0, target * (target.log() - input), 0.0 * input)
    if batchmean:
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


# ----- similarity and bilinear forms -----------------------------------------------------------
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""$x_1 \cdot x_2 / (\max(\|x_1\|, \epsilon) \max(\|x_2\|, \epsilon))$ along `dim`
    (the inputs broadcast together): 1 for the same direction, -1 for opposite ones."""
    shape = broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.broadcast_to(shape), x2.broadcast_to(shape)
    unit1 = x1 / x1.norm(2, dim, keepdim=True).clamp_min(eps)
    unit2 = x2 / x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return (unit1 * unit2).sum(dim)


def bilinear(input1, input2, weight, bias=None):
    r"""$y_k = x_1^T W_k x_2 + b_k$ for `input1` (*, in1), `input2` (*, in2), `weight`
    (out, in1, in2) and `bias` (out,); the leading dimensions of the inputs must match."""
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        for d, (a, b) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
            if a != b:
                raise RuntimeError("bilinear(): input batch dimensions do not match at dim "
                                   f"{d}: got {a} and {b}")
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    out_features, in1, in2 = weight.shape
    for k, (x, size) in enumerate(((input1, in1), (input2, in2)), start=1):
        if x.shape[-1] != size:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{x.shape[-1]} but expected {size}")
    rows = input1.reshape(-1, in1) @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    rows = rows.reshape(-1, out_features, in2) * input2.reshape(-1, 1, in2)
    out = rows.sum(-1).reshape(*input1.shape[:-1], out_features)
    return out if bias is None else out + bias


__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d", "conv2d",
    "cross_entropy", "dropout", "dropout2d", "fold", "gelu", "l1_loss", "layer_norm",
    "leaky_relu", "linear", "log_softmax", "logsigmoid", "max_pool1d", "max_pool2d", "mse_loss",
    "nll_loss", "one_hot", "pad", "relu", "sigmoid", "softmax", "softplus", "tanh", "unfold",
    "bilinear", "cosine_similarity", "elu", "group_norm", "hardtanh", "huber_loss", "kl_div",
    "mish", "rms_norm", "silu", "smooth_l1_loss",
]
