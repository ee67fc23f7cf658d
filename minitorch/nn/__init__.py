"""Neural networks, PyTorch's `torch.nn`: `Module`, `Parameter`, containers, layers
(linear, convolution, pooling, normalisation), losses, `nn.init`, `nn.functional` and
`nn.utils` (gradient clipping)."""

from . import functional, init, utils
from .activation_layers import ELU, Hardtanh, Mish, SiLU, Softplus
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv_layers import Conv1d, Conv2d
from .layers import (
    GELU,
    Dropout,
    Dropout2d,
    Embedding,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    Unflatten,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .norm_layers import GroupNorm, RMSNorm
from .pairwise_layers import Bilinear, CosineSimilarity
from .parameter import Parameter
from .pooling_layers import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)

__all__ = [
    "GELU", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "BCELoss",
    "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "CrossEntropyLoss",
    "Dropout", "Dropout2d", "Embedding", "Flatten", "Identity", "L1Loss", "LayerNorm",
    "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool1d", "MaxPool2d", "Module",
    "ModuleDict", "ModuleList", "NLLLoss", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "Softmax", "Tanh", "Unflatten", "functional", "init", "utils",
    "Bilinear", "CosineSimilarity", "ELU", "GroupNorm", "Hardtanh", "HuberLoss", "KLDivLoss",
    "Mish", "ParameterDict", "ParameterList", "RMSNorm", "SiLU", "SmoothL1Loss", "Softplus",
]
