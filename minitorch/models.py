"""Small models that the course builds and trains (assignment 07).

`DigitsCNN` is task 7.5: a convolutional network for the 8x8 digits of
`minitorch.datasets.digits()` (images as (N, 1, 8, 8), ten classes), built from the layers of
`minitorch.nn` as one would in PyTorch.
"""

from . import nn

__all__ = ["DigitsCNN"]


class DigitsCNN(nn.Module):
    """A CNN for 8x8 digits: input (N, 1, 8, 8), output (N, 10) logits (one per class).

    Assignment 07 trains it with Adam (lr 0.005, a cosine schedule), batches of 32, for 10
    epochs, on 1,500 of the 1,797 digits (a seeded random split), and tests it on the other
    297: it should classify at least 97% of those right.
    """

    def __init__(self):
        super().__init__()
        # BEGIN SOLUTION 7.5
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),                                   # (16, 4, 4)
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),                                   # (32, 2, 2)
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION 7.5
        return self.classifier(self.features(x))
        # END SOLUTION
