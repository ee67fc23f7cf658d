r"""Batch normalisation: `BatchNorm1d` for (N, C) or (N, C, L) inputs, `BatchNorm2d` for
(N, C, H, W). One implementation, `_BatchNorm`; the two differ only in the input ranks they
accept, as in PyTorch.

Each channel is normalised over the batch and every spatial position:
$y = (x - \mu) / \sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta$. In training, $\mu$ and
$\sigma^2$ (biased) come from the batch, and the running estimates move towards them:
$r \leftarrow (1 - m) r + m s$, with the *unbiased* variance for `running_var` (a cumulative
average when `momentum` is None). In eval mode the running estimates are used.
"""

from .. import dtypes, grad_mode
from ..creation import empty, ones, tensor, zeros
from . import init
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    """What the batch norms share: parameters, buffers, the statistics and the printed form;
    subclasses say which input ranks they accept (`_check_input_dim`)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def _check_channels(self, input):
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self!r} expects {self.num_features} channels in dimension 1 of its input, "
                f"but got an input of shape {list(input.shape)}"
            )

    def forward(self, input):
        self._check_input_dim(input)
        self._check_channels(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        dims = (0,) + tuple(range(2, input.dim()))  # all but the channels
        shape = (1, -1) + (1,) * (input.dim() - 2)  # a per-channel value, broadcastable
        if use_batch:
            count = input.numel() // self.num_features
            if count == 1:
                raise ValueError("Expected more than 1 value per channel when training, got "
                                 f"input size {input.shape}")
            mean = input.mean(dims, keepdim=True)
            centered = input - mean
            var = (centered * centered).mean(dims, keepdim=True)
            if self.training and self.running_mean is not None:
                with grad_mode.no_grad():
                    batch_mean = mean.detach().reshape(-1)
                    unbiased = var.detach().reshape(-1) * (count / (count - 1))
                    self.running_mean.mul_(1 - factor).add_(batch_mean * factor)
                    self.running_var.mul_(1 - factor).add_(unbiased * factor)
        else:
            mean = self.running_mean.reshape(shape)
            var = self.running_var.reshape(shape)
            centered = input - mean
        out = centered / (var + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C."""

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C (statistics over N, H, W)."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")
