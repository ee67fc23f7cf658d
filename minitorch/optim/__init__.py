"""`minitorch.optim`: optimizers that update parameters from their gradients, and
learning-rate schedules (`minitorch.optim.lr_scheduler`), as in `torch.optim`.

    optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = minitorch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]
