"""minitorch.plot: learning curves and decision boundaries, drawn headless (Agg)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import minitorch  # noqa: E402
from minitorch import datasets  # noqa: E402
from minitorch.plot import plot_decision_boundary, plot_history  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labels(ax):
    return [line.get_label() for line in ax.get_lines()]


# ----- plot_history -----------------------------------------------------------------------
def test_a_dict_of_lists_draws_one_line_per_metric_against_the_epoch():
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.5]}
    ax = plot_history(history)
    assert isinstance(ax, Axes)
    assert labels(ax) == ["loss", "val_loss"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [1.2, 0.7, 0.5])
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_accuracy_goes_on_a_second_axis_when_there_are_losses():
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.9], "val_acc": [0.4, 0.8]}
    ax = plot_history(history)
    assert labels(ax) == ["loss"]
    assert labels(ax.right_ax) == ["accuracy", "val_acc"]
    assert ax.right_ax.get_ylabel() == "accuracy"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["loss", "accuracy", "val_acc"]


def test_accuracy_alone_is_drawn_on_the_axes_itself():
    ax = plot_history({"acc": [0.1, 0.2]})
    assert labels(ax) == ["acc"] and not hasattr(ax, "right_ax")
    assert ax.get_ylabel() == "accuracy"


def test_a_list_of_dicts_per_epoch_with_tensors_and_gaps():
    history = [
        {"epoch": 0, "loss": minitorch.tensor(2.0), "val_loss": 2.5},
        {"epoch": 1, "loss": minitorch.tensor(1.0)},
        {"epoch": 2, "loss": np.float32(0.5), "val_loss": 1.0, "note": "lr drop"},
    ]
    ax = plot_history(history)
    assert labels(ax) == ["loss", "val_loss"]  # "note" is not numeric: not drawn
    loss, val = ax.get_lines()
    np.testing.assert_array_equal(loss.get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(loss.get_ydata(), [2.0, 1.0, 0.5])
    np.testing.assert_array_equal(val.get_ydata(), [2.5, np.nan, 1.0])


def test_plot_history_draws_into_the_axes_given():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_history({"loss": [3, 2, 1]}, ax=right) is right
    assert len(right.get_lines()) == 1 and len(left.get_lines()) == 0


def test_plot_history_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="dict of lists"):
        plot_history(3)
    with pytest.raises(TypeError, match="entry 1 is int"):
        plot_history([{"loss": 1}, 2])
    with pytest.raises(ValueError, match="no numeric values"):
        plot_history({"note": ["a", "b"]})


# ----- plot_decision_boundary -------------------------------------------------------------
def scatter_points(ax):
    return [c.get_offsets().shape[0] for c in ax.collections if hasattr(c, "get_offsets")
            and c.get_offsets().shape[0] and c.get_label().startswith("class")]


def test_a_scoring_function_gives_a_surface_a_boundary_and_one_scatter_per_class():
    X, y = datasets.diagonal(60)
    calls = []

    def model(points):
        calls.append((tuple(points.shape), points.dtype, minitorch.is_grad_enabled()))
        return (points[:, 0] + points[:, 1] < 0.5).float()  # probabilities 0 or 1

    ax = plot_decision_boundary(model, X, y, resolution=25)
    assert isinstance(ax, Axes)
    assert calls == [((625, 2), minitorch.float32, False)]
    counts = scatter_points(ax)
    assert sorted(counts) == sorted(np.bincount(y.numpy()).tolist())
    assert sum(counts) == 60
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    x0, x1 = ax.get_xlim()
    assert x0 < X.numpy()[:, 0].min() and x1 > X.numpy()[:, 0].max()


def test_logits_and_multiclass_outputs_are_accepted():
    X, y = datasets.xor(40)
    w = minitorch.tensor([[4.0, -4.0], [-4.0, 4.0]])
    ax = plot_decision_boundary(lambda p: p @ w, X, y, resolution=10)  # (M, 2) class scores
    assert sum(scatter_points(ax)) == 40
    plt.close("all")
    ax = plot_decision_boundary(lambda p: (p[:, 0] - 0.5) * 10, X, y, resolution=10)  # logits
    assert sum(scatter_points(ax)) == 40
    plt.close("all")
    ax = plot_decision_boundary(lambda p: (p[:, :1] - 0.5).sigmoid(), X, y, resolution=10)
    assert sum(scatter_points(ax)) == 40


def test_three_classes_get_three_scatters():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    y = np.array([0, 1, 2, 2])

    def model(points):
        right, top = points.numpy()[:, 0] > 0.5, points.numpy()[:, 1] > 0.5
        return minitorch.tensor(np.eye(3, dtype=np.float32)[np.where(top, 2, right * 1)])

    ax = plot_decision_boundary(model, X, y, resolution=8)
    assert scatter_points(ax) == [1, 1, 2]


def test_a_module_is_called_in_eval_mode_and_put_back():
    class Model:
        training = True

        def __init__(self):
            self.modes = []

        def eval(self):
            self.training = False
            return self

        def train(self, mode=True):
            self.training = mode
            return self

        def __call__(self, points):
            self.modes.append(self.training)
            return points[:, 0]

    model = Model()
    X, y = datasets.simple(10)
    plot_decision_boundary(model, X, y, resolution=5)
    assert model.modes == [False] and model.training is True


def test_bad_inputs_are_reported():
    X, y = datasets.simple(10)
    with pytest.raises(ValueError, match=r"X of shape \(N, 2\), got \[10, 1\]"):
        plot_decision_boundary(lambda p: p[:, 0], X[:, :1], y)
    with pytest.raises(ValueError, match="X has 10 points but y has 9 labels"):
        plot_decision_boundary(lambda p: p[:, 0], X, y[:9])
    with pytest.raises(ValueError, match=r"output of shape \[16, 2, 1\]"):
        plot_decision_boundary(lambda p: p.reshape(16, 2, 1), X, y, resolution=4)
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        plot_decision_boundary(lambda p: p[:, 0], X, y, resolution=1)
