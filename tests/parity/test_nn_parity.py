"""`minitorch.nn` against `torch.nn`, where PyTorch is installed.

Each case builds the same model in both libraries (`build(lib)` with `lib` = torch or
minitorch), copies torch's parameters and buffers into the minitorch model, runs the same
inputs through both, and compares: printed forms, parameter / buffer / state_dict names,
forward values, the gradients that reach the parameters and the input, and the buffers after
a few training steps.
"""

import math
from collections import OrderedDict

import numpy as np
import pytest

import minitorch
import minitorch.nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def to_mt(tensor):
    return minitorch.tensor(tensor.detach().numpy().copy())


def to_np(tensor):
    return tensor.detach().numpy()


def copy_state(source, target):
    """torch model -> minitorch model, parameters and buffers by name (in place)."""
    state = OrderedDict((k, to_mt(v)) for k, v in source.state_dict().items())
    target.load_state_dict(state)


def assert_close(mt_value, torch_value, tol=1e-5, what=""):
    np.testing.assert_allclose(to_np(mt_value), to_np(torch_value), rtol=tol, atol=tol,
                               err_msg=what)


class TNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.block = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(),
                                         torch.nn.Linear(8, 6))
        self.bn = torch.nn.BatchNorm1d(6)
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(1), persistent=False)
        self.fc2 = torch.nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.bn(self.block(self.fc1(x))) * self.scale)


class MNet(minitorch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = minitorch.nn.Linear(4, 8)
        self.block = minitorch.nn.Sequential(minitorch.nn.Linear(8, 8), minitorch.nn.ReLU(),
                                             minitorch.nn.Linear(8, 6))
        self.bn = minitorch.nn.BatchNorm1d(6)
        self.scale = minitorch.nn.Parameter(minitorch.ones(1))
        self.register_buffer("steps", minitorch.zeros(1))
        self.register_buffer("scratch", minitorch.zeros(1), persistent=False)
        self.fc2 = minitorch.nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.bn(self.block(self.fc1(x))) * self.scale)


# ----- printed forms --------------------------------------------------------------------------
REPR_CASES = {
    "classic_mlp": lambda nn: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)),
    "linear_no_bias": lambda nn: nn.Linear(3, 1, bias=False),
    "activations": lambda nn: nn.Sequential(
        nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(), nn.LeakyReLU(0.2, True), nn.Sigmoid(),
        nn.Tanh(), nn.GELU(), nn.GELU("tanh"), nn.Softmax(), nn.Softmax(dim=1),
        nn.LogSoftmax(dim=-1), nn.Identity(), nn.Flatten(), nn.Flatten(0, 2)),
    "dropout": lambda nn: nn.Sequential(nn.Dropout(), nn.Dropout(0.25), nn.Dropout(p=0.1)),
    "norms": lambda nn: nn.Sequential(
        nn.BatchNorm1d(10), nn.BatchNorm1d(3, eps=1e-3, momentum=None, affine=False,
                                           track_running_stats=False),
        nn.LayerNorm(10), nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False)),
    "embeddings": lambda nn: nn.ModuleList([
        nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=0),
        nn.Embedding(10, 3, padding_idx=-1)]),
    "losses": lambda nn: nn.ModuleList([
        nn.MSELoss(), nn.L1Loss(reduction="sum"), nn.BCELoss(), nn.BCEWithLogitsLoss(),
        nn.CrossEntropyLoss(label_smoothing=0.1), nn.NLLLoss()]),
    "module_list_runs": lambda nn: nn.ModuleList(
        [nn.Linear(4, 4) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Linear(4, 2)]),
    "module_dict": lambda nn: nn.ModuleDict(
        {"enc": nn.Sequential(nn.Linear(2, 3), nn.Tanh()), "act": nn.ReLU()}),
    "nested": lambda nn: nn.Sequential(OrderedDict([
        ("features", nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(),
                                   nn.Dropout(0.2))),
        ("heads", nn.ModuleList([nn.Linear(32, 10), nn.Linear(32, 1)])),
        ("norm", nn.LayerNorm(10)),
    ])),
    "empty_containers": lambda nn: nn.Sequential(nn.Sequential(), nn.ModuleList(),
                                                 nn.ModuleDict()),
}


@pytest.mark.parametrize("name", REPR_CASES)
def test_printed_forms_match_pytorch(name):
    build = REPR_CASES[name]
    expected = repr(build(torch.nn))
    assert repr(build(minitorch.nn)) == expected.replace("torch.", "minitorch.")


def test_a_subclassed_model_prints_and_names_like_pytorch():
    t, m = TNet(), MNet()
    assert repr(m) == repr(t).replace("TNet", "MNet")
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert sum(p.numel() for p in m.parameters()) == sum(p.numel() for p in t.parameters())
    assert repr(MNet().eval()) == repr(m)


def test_parameter_prints_like_pytorch():
    values = [[1.5, -2.0], [0.25, 3.0]]
    assert repr(minitorch.nn.Parameter(minitorch.tensor(values))) == repr(
        torch.nn.Parameter(torch.tensor(values)))
    assert repr(minitorch.nn.Parameter(minitorch.tensor(values), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.tensor(values), requires_grad=False))


def test_load_state_dict_reports_like_pytorch():
    def build(nn):
        return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    def reports(lib):
        """The strict error, the non-strict result, and the size-mismatch error."""
        model = build(lib.nn)
        state = model.state_dict()
        del state["2.bias"]
        state["2.scale"] = lib.zeros(1)
        state["9.weight"] = lib.zeros(1)
        with pytest.raises(RuntimeError) as strict:
            model.load_state_dict(state)
        loose = repr(model.load_state_dict(state, strict=False))
        state = build(lib.nn).state_dict()
        state["0.weight"] = lib.zeros(5, 2)
        with pytest.raises(RuntimeError) as size:
            model.load_state_dict(state)
        matched = repr(model.load_state_dict(build(lib.nn).state_dict()))
        return [str(strict.value), loose, str(size.value), matched]

    expected = [text.replace("torch.", "minitorch.") for text in reports(torch)]
    assert reports(minitorch) == expected


# ----- numbers --------------------------------------------------------------------------------
def compare_forward_backward(t_model, m_model, x, tol=1e-5, target=None):
    """Same parameters, same input: the outputs and all gradients agree."""
    copy_state(t_model, m_model)
    xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    xm = minitorch.tensor(x.astype(np.float32)).requires_grad_()
    out_t, out_m = t_model(xt), m_model(xm)
    assert_close(out_m, out_t, tol, "forward")
    g = RNG.normal(size=tuple(out_t.shape)).astype(np.float32)
    out_t.backward(torch.tensor(g))
    out_m.backward(minitorch.tensor(g))
    assert_close(xm.grad, xt.grad, tol, "input gradient")
    t_params = dict(t_model.named_parameters())
    for name, param in m_model.named_parameters():
        assert_close(param.grad, t_params[name].grad, tol, f"gradient of {name}")
    t_buffers = dict(t_model.named_buffers())
    for name, buf in m_model.named_buffers():
        np.testing.assert_allclose(to_np(buf), to_np(t_buffers[name]), rtol=tol, atol=tol,
                                   err_msg=f"buffer {name}")


MODEL_CASES = {
    "mlp": (lambda nn: nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3)), (4, 5)),
    "activations": (lambda nn: nn.Sequential(
        nn.Linear(5, 6), nn.LeakyReLU(0.1), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 6),
        nn.Sigmoid(), nn.Linear(6, 6), nn.GELU(), nn.Linear(6, 6), nn.GELU("tanh"),
        nn.Linear(6, 4), nn.LogSoftmax(dim=1)), (3, 5)),
    "softmax": (lambda nn: nn.Sequential(nn.Linear(5, 4), nn.Softmax(dim=-1)), (3, 5)),
    "flatten": (lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(12, 2)), (2, 3, 4)),
    "linear_3d": (lambda nn: nn.Linear(4, 3, bias=False), (2, 5, 4)),
    "batchnorm_2d": (lambda nn: nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6),
                                              nn.ReLU()), (8, 4)),
    "batchnorm_3d": (lambda nn: nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
    "batchnorm_cumulative": (lambda nn: nn.BatchNorm1d(3, momentum=None), (5, 3)),
    "batchnorm_plain": (lambda nn: nn.BatchNorm1d(3, affine=False), (5, 3)),
    "layernorm": (lambda nn: nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6)), (3, 4)),
    "layernorm_2d": (lambda nn: nn.LayerNorm((3, 4), eps=1e-3), (2, 3, 4)),
}


@pytest.mark.parametrize("name", MODEL_CASES)
def test_forward_and_gradients_match_pytorch(name):
    build, shape = MODEL_CASES[name]
    torch.manual_seed(0)
    t_model, m_model = build(torch.nn), build(minitorch.nn)
    with torch.no_grad():  # move affine parameters away from their 1 / 0 start
        for p in t_model.parameters():
            p.add_(torch.randn(p.shape) * 0.3)
    compare_forward_backward(t_model, m_model, RNG.normal(size=shape))


def test_a_subclassed_model_matches_pytorch_in_train_and_eval():
    torch.manual_seed(1)
    t_model, m_model = TNet(), MNet()
    compare_forward_backward(t_model, m_model, RNG.normal(size=(6, 4)))
    t_model.eval(), m_model.eval()
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    assert_close(m_model(minitorch.tensor(x)), t_model(torch.tensor(x)))


def test_batchnorm_running_statistics_match_pytorch_over_several_steps():
    for shape in ((6, 3), (4, 3, 5)):
        t_bn = torch.nn.BatchNorm1d(3, momentum=0.2)
        m_bn = minitorch.nn.BatchNorm1d(3, momentum=0.2)
        for step in range(4):
            x = RNG.normal(loc=step, scale=2, size=shape).astype(np.float32)
            assert_close(m_bn(minitorch.tensor(x)), t_bn(torch.tensor(x)))
            assert_close(m_bn.running_mean, t_bn.running_mean)
            assert_close(m_bn.running_var, t_bn.running_var)
            assert m_bn.num_batches_tracked.item() == t_bn.num_batches_tracked.item()
        t_bn.eval(), m_bn.eval()
        x = RNG.normal(size=shape).astype(np.float32)
        assert_close(m_bn(minitorch.tensor(x)), t_bn(torch.tensor(x)))
        assert list(m_bn.state_dict()) == list(t_bn.state_dict())
        assert str(m_bn.state_dict()["num_batches_tracked"].dtype).split(".")[-1] == \
            str(t_bn.state_dict()["num_batches_tracked"].dtype).split(".")[-1]


def test_embedding_matches_pytorch_including_padding():
    t_emb = torch.nn.Embedding(6, 3, padding_idx=2)
    m_emb = minitorch.nn.Embedding(6, 3, padding_idx=2)
    copy_state(t_emb, m_emb)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    out_t = t_emb(torch.tensor(idx))
    out_m = m_emb(minitorch.tensor(idx))
    assert_close(out_m, out_t)
    g = RNG.normal(size=(2, 3, 3)).astype(np.float32)
    out_t.backward(torch.tensor(g))
    out_m.backward(minitorch.tensor(g))
    assert_close(m_emb.weight.grad, t_emb.weight.grad)
    assert np.all(to_np(t_emb.weight)[2] == 0) and np.all(to_np(m_emb.weight)[2] == 0)


LOSS_CASES = {
    "mse": (lambda nn: nn.MSELoss(), "regression"),
    "mse_sum": (lambda nn: nn.MSELoss(reduction="sum"), "regression"),
    "l1_none": (lambda nn: nn.L1Loss(reduction="none"), "regression"),
    "bce": (lambda nn: nn.BCELoss(), "probabilities"),
    "bce_logits": (lambda nn: nn.BCEWithLogitsLoss(), "binary"),
    "cross_entropy": (lambda nn: nn.CrossEntropyLoss(), "classes"),
    "cross_entropy_smooth": (lambda nn: nn.CrossEntropyLoss(label_smoothing=0.2), "classes"),
    "cross_entropy_ignore": (lambda nn: nn.CrossEntropyLoss(ignore_index=1), "classes"),
    "nll": (lambda nn: nn.NLLLoss(reduction="sum"), "classes"),
}


@pytest.mark.parametrize("name", LOSS_CASES)
def test_loss_modules_match_pytorch(name):
    build, kind = LOSS_CASES[name]
    x = RNG.normal(size=(6, 4)).astype(np.float32)
    if kind == "regression":
        y = RNG.normal(size=(6, 4)).astype(np.float32)
    elif kind == "probabilities":
        x = 1 / (1 + np.exp(-x))
        y = RNG.integers(0, 2, size=(6, 4)).astype(np.float32)
    elif kind == "binary":
        y = RNG.integers(0, 2, size=(6, 4)).astype(np.float32)
    else:
        y = np.array([0, 3, 1, 1, 2, 3])
    xt = torch.tensor(x, requires_grad=True)
    xm = minitorch.tensor(x).requires_grad_()
    lt = build(torch.nn)(xt, torch.tensor(y))
    lm = build(minitorch.nn)(xm, minitorch.tensor(y))
    assert_close(lm, lt)
    lt.sum().backward()
    lm.sum().backward()
    assert_close(xm.grad, xt.grad)


# ----- init -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.3), ("leaky_relu", math.sqrt(5)), ("selu", None),
])
def test_calculate_gain_matches_pytorch(name, param):
    assert minitorch.nn.init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-12)


@pytest.mark.parametrize("shape", [(3, 5), (16, 8, 3, 3), (4, 2, 5), (1, 1)])
def test_fans_match_pytorch(shape):
    assert minitorch.nn.init._calculate_fan_in_and_fan_out(minitorch.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("fill", [
    lambda init, t: init.xavier_uniform_(t, gain=2.0),
    lambda init, t: init.kaiming_uniform_(t, a=math.sqrt(5)),
    lambda init, t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
    lambda init, t: init.uniform_(t, -0.3, 0.7),
])
def test_uniform_initialisers_have_pytorchs_bounds(fill):
    """Different random streams, the same distribution: the extremes of 100,000 draws agree."""
    t = fill(torch.nn.init, torch.empty(200, 500))
    m = fill(minitorch.nn.init, minitorch.empty(200, 500))
    for reduce in (np.min, np.max, np.std):
        assert reduce(to_np(m)) == pytest.approx(reduce(to_np(t)), rel=0.02, abs=1e-3)


def test_linear_default_initialisation_has_pytorchs_distribution():
    t, m = torch.nn.Linear(300, 200), minitorch.nn.Linear(300, 200)
    for name in ("weight", "bias"):
        tv, mv = to_np(getattr(t, name)), to_np(getattr(m, name))
        bound = 1 / math.sqrt(300)
        assert np.abs(mv).max() <= bound and np.abs(tv).max() <= bound
    assert np.std(to_np(m.weight)) == pytest.approx(np.std(to_np(t.weight)), rel=0.02)
