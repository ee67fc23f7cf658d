"""The reductions, rounding, interpolation, layers and losses of issue 18 against PyTorch,
where it is installed: the same inputs give the same values, gradients, node names
(`grad_fn`), printed modules and errors."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402

RNG = np.random.default_rng(18)
A = RNG.permutation(24).reshape(2, 3, 4) * 0.37 - 4.0  # distinct values: no ties


def both(a=A, dtype="float64"):
    """The same leaf in both libraries (requires grad)."""
    return (torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True),
            minitorch.tensor(a, dtype=getattr(minitorch, dtype), requires_grad=True))


def np_of(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def node(t):
    return type(t.grad_fn).__name__


OPS = {
    "median": lambda m, x: m.median(x),
    "median(dim)": lambda m, x: x.median(1).values,
    "median(dim, keepdim)": lambda m, x: x.median(-1, keepdim=True).values,
    "mode": lambda m, x: x.round().mode(0).values,
    "norm": lambda m, x: x.norm(),
    "norm(1, dim)": lambda m, x: m.norm(x, 1, dim=1),
    "norm(inf, dims)": lambda m, x: x.norm(math.inf, dim=(0, 2), keepdim=True),
    "norm(3)": lambda m, x: x.norm(3, dim=-1),
    "vector_norm": lambda m, x: m.linalg.vector_norm(x, ord=-math.inf, dim=0),
    "matrix_norm": lambda m, x: m.linalg.matrix_norm(x, "fro"),
    "round": lambda m, x: (x * 1.5).round(),
    "round(decimals)": lambda m, x: m.round(x, decimals=1),
    "lerp(number)": lambda m, x: m.lerp(x, x.flip(0), 0.3),
    "lerp(tensor)": lambda m, x: x.lerp(x * 2, x.sigmoid()),
    "std_mean": lambda m, x: m.std_mean(x, 1)[0],
    "var_mean": lambda m, x: m.var_mean(x, (0, 2), correction=0, keepdim=True)[1],
    "silu": lambda m, x: m.nn.functional.silu(x),
    "elu": lambda m, x: m.nn.functional.elu(x, 0.5),
    "mish": lambda m, x: m.nn.functional.mish(x),
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x, -2.0, 2.0),
    "softplus": lambda m, x: m.nn.functional.softplus(x, 0.5, 1.0),
    "group_norm": lambda m, x: m.nn.functional.group_norm(x.reshape(2, 4, 3), 2),
    "rms_norm": lambda m, x: m.nn.functional.rms_norm(x, (3, 4), eps=1e-6),
    "huber_loss": lambda m, x: m.nn.functional.huber_loss(x, x.flip(1), delta=1.5),
    "smooth_l1_loss": lambda m, x: m.nn.functional.smooth_l1_loss(x, -x, reduction="none"),
    "kl_div": lambda m, x: m.nn.functional.kl_div(x.log_softmax(-1), x.softmax(0),
                                                  reduction="batchmean"),
    "cosine_similarity": lambda m, x: m.nn.functional.cosine_similarity(x, x.flip(2), dim=2),
}
# Where minitorch composes the op of others, its node is named after the last of them
NODES_OF_COMPOSITES = {"std_mean", "var_mean", "group_norm", "rms_norm",
                       "huber_loss", "smooth_l1_loss", "kl_div", "cosine_similarity",
                       "matrix_norm"}


@pytest.mark.parametrize("name", sorted(OPS))
def test_values_gradients_and_node_names(name):
    (tx, mx), op = both(), OPS[name]
    t_out, m_out = op(torch, tx), op(minitorch, mx)
    np.testing.assert_allclose(np_of(m_out), np_of(t_out), rtol=1e-10, atol=1e-12)
    seed = RNG.standard_normal(t_out.shape)
    t_out.backward(torch.tensor(seed))
    m_out.backward(minitorch.tensor(seed))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
    if name not in NODES_OF_COMPOSITES:
        assert node(m_out) == node(t_out)


def test_indices_and_named_results():
    tx, mx = both()
    for dim in (0, 1, -1):
        t, m = tx.median(dim), mx.median(dim)
        assert m.indices.tolist() == t.indices.tolist()
        assert type(m).__name__ == type(t).__name__ == "median"
    ints = RNG.integers(0, 3, (3, 7))
    t, m = torch.tensor(ints).mode(1), minitorch.tensor(ints).mode(1)
    assert (m.values.tolist(), m.indices.tolist()) == (t.values.tolist(), t.indices.tolist())
    nan = [[1.0, math.nan, 0.0], [3.0, 2.0, 1.0]]
    assert minitorch.tensor(nan).median(1).indices.tolist() == \
        torch.tensor(nan).median(1).indices.tolist()


def test_counts_closeness_and_ranges():
    values = RNG.integers(0, 6, 15)
    weights = RNG.random(15)
    assert minitorch.bincount(minitorch.tensor(values), minlength=8).tolist() == \
        torch.bincount(torch.tensor(values), minlength=8).tolist()
    np.testing.assert_allclose(
        minitorch.bincount(minitorch.tensor(values), minitorch.tensor(weights)).numpy(),
        torch.bincount(torch.tensor(values), torch.tensor(weights)).numpy())
    floats = RNG.standard_normal(30).astype(np.float32)
    for args in ((5,), (4, -1.0, 1.0), (100, 0, 0)):
        assert minitorch.histc(minitorch.tensor(floats), *args).tolist() == \
            torch.histc(torch.tensor(floats), *args).tolist()
    a = np.array([1.0, math.nan, math.inf, 2.0, 1e-9])
    b = np.array([1.0 + 1e-7, math.nan, math.inf, 2.1, 0.0])
    for equal_nan in (False, True):
        assert minitorch.isclose(minitorch.tensor(a), minitorch.tensor(b),
                                 equal_nan=equal_nan).tolist() == \
            torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=equal_nan).tolist()
    np.testing.assert_allclose(minitorch.logspace(-2, 3, 6, base=3.0).numpy(),
                               torch.logspace(-2, 3, 6, base=3.0).numpy(), rtol=1e-6)


def test_module_reprs():
    for build in (
        lambda nn: nn.SiLU(), lambda nn: nn.SiLU(inplace=True), lambda nn: nn.ELU(),
        lambda nn: nn.ELU(0.5, inplace=True), lambda nn: nn.Softplus(beta=2.0),
        lambda nn: nn.Mish(), lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 2, True),
        lambda nn: nn.GroupNorm(2, 4), lambda nn: nn.GroupNorm(1, 3, affine=False),
        lambda nn: nn.RMSNorm(4), lambda nn: nn.RMSNorm([2, 3], 1e-3, False),
        lambda nn: nn.HuberLoss(delta=2.0), lambda nn: nn.SmoothL1Loss(beta=0.5),
        lambda nn: nn.KLDivLoss(reduction="batchmean"), lambda nn: nn.CosineSimilarity(0),
        lambda nn: nn.Bilinear(2, 3, 4), lambda nn: nn.Bilinear(2, 3, 4, bias=False),
    ):
        assert repr(build(minitorch.nn)) == repr(build(torch.nn))


def test_parameter_containers_print_and_register_as_pytorchs():
    def build(lib):
        holder = lib.nn.Module()
        holder.ps = lib.nn.ParameterList([lib.zeros(2, 3), lib.nn.Parameter(lib.ones(2))])
        holder.pd = lib.nn.ParameterDict({"a": lib.zeros(1), "b": lib.ones(2)})
        return holder

    t, m = build(torch), build(minitorch)
    assert repr(m).replace("minitorch", "torch") == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())


def test_bilinear_init_has_pytorchs_bound():
    torch.manual_seed(0)
    minitorch.manual_seed(0)
    t, m = torch.nn.Bilinear(9, 2, 3), minitorch.nn.Bilinear(9, 2, 3)
    for tp, mp in zip(t.parameters(), m.parameters()):
        assert tp.shape == mp.shape
        assert mp.abs().max().item() <= 1 / 3 and tp.abs().max().item() <= 1 / 3


ERRORS = {
    "median of an empty dim": lambda m: m.zeros(0, 3).median(0),
    "norm of integers": lambda m: m.tensor([1, 2]).norm(),
    "round of integers to decimals": lambda m: m.tensor([1, 2]).round(decimals=1),
    "lerp of mixed dtypes": lambda m: m.lerp(m.zeros(2), m.zeros(2, dtype=m.float64), 0.5),
    "isclose of mixed dtypes": lambda m: m.isclose(m.zeros(1), m.zeros(1, dtype=m.float64)),
    "negative rtol": lambda m: m.isclose(m.zeros(1), m.zeros(1), rtol=-1),
    "bincount of negatives": lambda m: m.bincount(m.tensor([-1, 2])),
    "histc with min > max": lambda m: m.histc(m.tensor([1.0]), min=3, max=1),
    "std_mean of integers": lambda m: m.std_mean(m.tensor([1, 2])),
    "multinomial too many": lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3),
    "multinomial of zeros": lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
    "poisson of a negative rate": lambda m: m.poisson(m.tensor([-1.0])),
    "normal with a negative std": lambda m: m.normal(m.zeros(2), -m.ones(2)),
    "logspace with negative steps": lambda m: m.logspace(0, 1, -1),
    "group_norm indivisible": lambda m: m.nn.functional.group_norm(m.zeros(2, 3), 2),
    "GroupNorm indivisible": lambda m: m.nn.GroupNorm(2, 3),
    "rms_norm shape": lambda m: m.nn.functional.rms_norm(m.zeros(2, 3), (2,)),
    "bilinear sizes": lambda m: m.nn.functional.bilinear(m.zeros(2, 3), m.zeros(2, 4),
                                                         m.zeros(5, 3, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_have_pytorchs_type_and_message(name):
    with pytest.raises(Exception) as expected:
        ERRORS[name](torch)
    with pytest.raises(type(expected.value)) as got:
        ERRORS[name](minitorch)
    assert str(expected.value).split("\n")[0] in str(got.value)


def test_inference_mode_matches():
    for lib in (torch, minitorch):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not (x * 2).requires_grad
        assert not lib.is_inference_mode_enabled() and (x * 2).requires_grad
