"""minitorch.optim: SGD, Adam, AdamW and the learning-rate schedulers.

The optimizers are checked against NumPy re-implementations of the update rules written in
their docstrings (not copies of the library code: Adam's bias correction is written here as
m_hat / (sqrt(v_hat) + eps)); each trajectory is 20 steps on a small least-squares problem,
the gradients coming from NumPy so that only the update itself is under test. Then the
bookkeeping: parameter groups, zero_grad, state_dict round trips, no graph recorded, the
errors PyTorch raises, and a classic fit (y = pi x + 42) with real gradients from backward().
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch import optim
from minitorch.optim import lr_scheduler

STEPS = 20

# --------------------------------------------------------------------------------------------
# a fixed least-squares problem: minimise 1/(2n) * ||X W^T + bias - Y||^2 over W (2x3), bias (2)

_rng = np.random.default_rng(1234)
X = _rng.normal(size=(8, 3))
Y = _rng.normal(size=(8, 2))
W0 = _rng.normal(size=(2, 3))
B0 = _rng.normal(size=(2,))


def lsq_grads(W, bias):
    """Gradients of the least-squares loss with respect to W and bias."""
    residual = X @ W.T + bias - Y  # (n, 2)
    n = X.shape[0]
    return residual.T @ X / n, residual.sum(axis=0) / n


def make_params(dtype=minitorch.float64):
    return [minitorch.tensor(W0.copy(), dtype=dtype, requires_grad=True),
            minitorch.tensor(B0.copy(), dtype=dtype, requires_grad=True)]


def set_grads(params):
    """Set .grad of (W, bias) from NumPy, at their current values."""
    W, bias = params
    gW, gb = lsq_grads(W.detach().numpy(), bias.detach().numpy())
    W.grad = minitorch.tensor(gW, dtype=W.dtype)
    bias.grad = minitorch.tensor(gb, dtype=bias.dtype)


def run_minitorch(make_optimizer, steps=STEPS):
    params = make_params()
    opt = make_optimizer(params)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        set_grads(params)
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory, params, opt


# --------------------------------------------------------------------------------------------
# NumPy references of the documented update rules


def numpy_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
              maximize=False, steps=STEPS):
    params = [W0.copy(), B0.copy()]
    bufs = [None, None]
    trajectory = []
    for _ in range(steps):
        grads = lsq_grads(*params)
        new = []
        for i, (theta, g) in enumerate(zip(params, grads)):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            if momentum:
                bufs[i] = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            new.append(theta - lr * g)
        params = new
        trajectory.append([p.copy() for p in params])
    return trajectory


def numpy_adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
               maximize=False, decoupled=False, steps=STEPS):
    beta1, beta2 = betas
    params = [W0.copy(), B0.copy()]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    vmax = [np.zeros_like(p) for p in params]
    trajectory = []
    for t in range(1, steps + 1):
        grads = lsq_grads(*params)
        new = []
        for i, (theta, g) in enumerate(zip(params, grads)):
            if maximize:
                g = -g
            if weight_decay:
                if decoupled:
                    theta = theta * (1 - lr * weight_decay)
                else:
                    g = g + weight_decay * theta
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            if amsgrad:
                vmax[i] = np.maximum(vmax[i], v[i])
                v_hat = vmax[i] / (1 - beta2**t)
            else:
                v_hat = v[i] / (1 - beta2**t)
            new.append(theta - lr * m_hat / (np.sqrt(v_hat) + eps))
        params = new
        trajectory.append([p.copy() for p in params])
    return trajectory


def assert_trajectories_close(got, expected, rtol=1e-9, atol=1e-11):
    assert len(got) == len(expected)
    for step, (g, e) in enumerate(zip(got, expected), start=1):
        for name, a, b in zip(("weight", "bias"), g, e):
            scale = max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * scale,
                                       err_msg=f"{name} after step {step}")


# --------------------------------------------------------------------------------------------
# trajectories against the formulas

unit = st.floats(0.0, 1.0, allow_nan=False)


@given(lr=st.floats(0.0, 0.5), momentum=st.one_of(st.just(0.0), st.floats(0.0, 0.95)),
       dampening=st.floats(0.0, 0.9), weight_decay=st.one_of(st.just(0.0), st.floats(0.0, 0.5)),
       nesterov=st.booleans(), maximize=st.booleans())
def test_sgd_trajectory_matches_formula(lr, momentum, dampening, weight_decay, nesterov,
                                        maximize):
    if nesterov and momentum == 0:
        momentum = 0.5
    if nesterov:
        dampening = 0.0
    kwargs = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                  nesterov=nesterov, maximize=maximize)
    got, _, _ = run_minitorch(lambda ps: optim.SGD(ps, **kwargs))
    assert_trajectories_close(got, numpy_sgd(**kwargs))


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.01, momentum=0.8, weight_decay=0.2, maximize=True),
])
def test_sgd_trajectory_fixed_cases(kwargs):
    got, _, _ = run_minitorch(lambda ps: optim.SGD(ps, **kwargs))
    assert_trajectories_close(got, numpy_sgd(**kwargs))


@given(lr=st.floats(1e-4, 0.5), beta1=st.floats(0.0, 0.99), beta2=st.floats(0.0, 0.9999),
       eps=st.floats(1e-10, 1e-2), weight_decay=st.one_of(st.just(0.0), st.floats(0.0, 0.5)),
       amsgrad=st.booleans(), maximize=st.booleans(), decoupled=st.booleans())
def test_adam_and_adamw_trajectories_match_formula(lr, beta1, beta2, eps, weight_decay,
                                                    amsgrad, maximize, decoupled):
    cls = optim.AdamW if decoupled else optim.Adam
    kwargs = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    got, _, _ = run_minitorch(lambda ps: cls(ps, **kwargs))
    assert_trajectories_close(got, numpy_adam(decoupled=decoupled, **kwargs), rtol=1e-8)


@pytest.mark.parametrize("cls, kwargs, decoupled", [
    (optim.Adam, dict(lr=0.1), False),
    (optim.Adam, dict(lr=0.1, amsgrad=True), False),
    (optim.Adam, dict(lr=0.05, weight_decay=0.1, maximize=True), False),
    (optim.AdamW, dict(lr=0.1), True),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.3, amsgrad=True), True),
    (optim.AdamW, dict(lr=0.1, betas=(0.5, 0.6), eps=1e-3), True),
])
def test_adam_trajectory_fixed_cases(cls, kwargs, decoupled):
    got, _, _ = run_minitorch(lambda ps: cls(ps, **kwargs))
    reference = {"weight_decay": cls([minitorch.zeros(1)]).defaults["weight_decay"], **kwargs}
    assert_trajectories_close(got, numpy_adam(decoupled=decoupled, **reference))


def test_defaults_are_pytorchs():
    p = [minitorch.zeros(2, requires_grad=True)]
    assert optim.SGD(p).defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                                         nesterov=False, maximize=False)
    adam = optim.Adam(p).defaults
    assert adam == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                        maximize=False, decoupled_weight_decay=False)
    adamw = optim.AdamW(p).defaults
    assert adamw["weight_decay"] == 1e-2 and adamw["decoupled_weight_decay"] is True


def test_adam_is_not_adamw_when_weight_decay_is_set():
    """L2 in the gradient (Adam) and decoupled decay (AdamW) give different paths."""
    adam, _, _ = run_minitorch(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5))
    adamw, _, _ = run_minitorch(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5))
    assert not np.allclose(adam[-1][0], adamw[-1][0])


def test_first_adam_step_moves_every_coordinate_by_lr():
    """With bias correction the first step is lr * sign(g) (up to eps): the textbook fact."""
    p = minitorch.tensor([1.0, -2.0, 3.0], dtype=minitorch.float64, requires_grad=True)
    p.grad = minitorch.tensor([0.001, -50.0, 7.0], dtype=minitorch.float64)
    optim.Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, -1.9, 2.9], atol=1e-5)


# --------------------------------------------------------------------------------------------
# the classic fit: y = pi * x + 42 with real gradients from backward()


@pytest.mark.parametrize("kwargs, steps", [
    (dict(lr=0.5), 150),
    (dict(lr=0.2, momentum=0.5), 150),
    (dict(lr=0.2, momentum=0.5, nesterov=True), 150),
])
def test_sgd_fits_linear_regression(kwargs, steps):
    x = minitorch.linspace(-1.0, 1.0, 100)
    y = math.pi * x + 42.0
    w = minitorch.zeros(1, requires_grad=True)
    b = minitorch.zeros(1, requires_grad=True)
    opt = optim.SGD([w, b], **kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x * w + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert w.item() == pytest.approx(math.pi, abs=1e-3), f"slope {w.item()}"
    assert b.item() == pytest.approx(42.0, abs=1e-3), f"intercept {b.item()}"
    assert losses[-1] < 1e-5 < losses[0]
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_adam_fits_linear_regression():
    x = minitorch.linspace(-1.0, 1.0, 100)
    y = math.pi * x + 42.0
    w = minitorch.zeros(1, requires_grad=True)
    b = minitorch.zeros(1, requires_grad=True)
    opt = optim.Adam([w, b], lr=2.0)  # the intercept is far: big steps, then annealed
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=300)
    for _ in range(300):
        opt.zero_grad()
        ((x * w + b - y) ** 2).mean().backward()
        opt.step()
        sched.step()
    assert w.item() == pytest.approx(math.pi, abs=1e-2)
    assert b.item() == pytest.approx(42.0, abs=1e-2)


# --------------------------------------------------------------------------------------------
# no graph, in place, skipped parameters


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True, weight_decay=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
], ids=["sgd", "adam", "adamw"])
def test_step_updates_in_place_without_a_graph(make):
    params = make_params()
    storages = [p.detach() for p in params]  # views of the same storage
    opt = make(params)
    for _ in range(3):
        opt.zero_grad()
        loss = ((params[0] ** 2).sum() + params[1].sum())
        loss.backward()
        opt.step()
    for p, view in zip(params, storages):
        assert p.grad_fn is None and p.is_leaf and p.requires_grad
        np.testing.assert_array_equal(view.numpy(), p.detach().numpy())  # same storage
        for value in opt.state[p].values():
            if isinstance(value, minitorch.Tensor):
                assert not value.requires_grad and value.grad_fn is None
    assert not np.allclose(params[0].detach().numpy(), W0)


def test_step_leaves_grad_mode_as_it_was():
    p = minitorch.zeros(2, requires_grad=True)
    p.grad = minitorch.ones(2)
    optim.SGD([p], lr=0.1).step()
    assert minitorch.is_grad_enabled()
    with minitorch.no_grad():
        optim.SGD([p], lr=0.1).step()
        assert not minitorch.is_grad_enabled()


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
], ids=["sgd", "adam", "adamw"])
def test_parameters_without_grad_are_skipped(make):
    used = minitorch.tensor([1.0, 2.0], requires_grad=True)
    unused = minitorch.tensor([3.0, 4.0], requires_grad=True)
    opt = make([used, unused])
    (used * used).sum().backward()
    opt.step()
    assert unused.grad is None
    assert unused.tolist() == [3.0, 4.0]  # not even weight decay touches it
    assert unused not in opt.state
    assert used.tolist() != [1.0, 2.0]


def test_closure_is_evaluated_with_grad_enabled_and_its_loss_returned():
    p = minitorch.tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)
    seen = []

    def closure():
        seen.append(minitorch.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minitorch.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 4.0
    assert p.item() == 1.0  # 2 - 0.25 * 4
    assert optim.SGD([p]).step() is None


# --------------------------------------------------------------------------------------------
# parameter groups


def test_param_groups_take_their_own_lr_and_defaults():
    a = minitorch.tensor([1.0], requires_grad=True)
    b = minitorch.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b]  # a lone tensor becomes a list
    assert all(g["momentum"] == 0.0 and g["nesterov"] is False for g in opt.param_groups)
    a.grad = minitorch.tensor([1.0])
    b.grad = minitorch.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)


def test_add_param_group():
    a = minitorch.zeros(1, requires_grad=True)
    b = minitorch.zeros(1, requires_grad=True)
    opt = optim.Adam([a], lr=0.01)
    opt.add_param_group({"params": [b], "lr": 0.1, "betas": (0.5, 0.5)})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["eps"] == 1e-8
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {minitorch.zeros(1, requires_grad=True)}})


def test_required_hyper_parameter_must_be_given():
    from minitorch.optim.optimizer import required

    class Plain(optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    p = minitorch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain([p])
    assert Plain([p], lr=0.1).param_groups[0]["lr"] == 0.1
    with pytest.raises(NotImplementedError):
        Plain([p], lr=0.1).step()


def test_duplicate_parameters_warn():
    p = minitorch.zeros(1, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p])


def test_parameters_from_a_generator():
    params = make_params()
    opt = optim.SGD((p for p in params), lr=0.1)
    assert opt.param_groups[0]["params"] == params


def test_repr_lists_the_groups():
    text = repr(optim.SGD([minitorch.zeros(1, requires_grad=True)], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.1\n" in text and "params" not in text


# --------------------------------------------------------------------------------------------
# zero_grad


def test_zero_grad_sets_to_none_by_default():
    p = minitorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    assert p.grad is not None
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad()  # no grad at all: nothing to do
    assert p.grad is None


def test_zero_grad_set_to_none_false_keeps_zeroed_tensors():
    p = minitorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    (p * p).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.tolist() == [0.0, 0.0]
    (p * 3).sum().backward()  # accumulates into the zeroed tensor
    assert p.grad is grad and p.grad.tolist() == [3.0, 3.0]
    opt.step()
    opt.zero_grad(set_to_none=False)
    before = p.tolist()
    opt.step()  # a zero gradient still steps (momentum carries on)
    assert p.tolist() != before


# --------------------------------------------------------------------------------------------
# state and state_dict


def test_state_layout():
    params = make_params()
    sgd = optim.SGD(params, lr=0.1)
    set_grads(params)
    sgd.step()
    assert len(sgd.state) == 0  # plain SGD keeps no state
    sgd = optim.SGD(params, lr=0.1, momentum=0.9)
    sgd.step()
    assert set(sgd.state[params[0]]) == {"momentum_buffer"}
    # the buffer starts as the first gradient
    np.testing.assert_array_equal(sgd.state[params[0]]["momentum_buffer"].numpy(),
                                  params[0].grad.numpy())

    adam = optim.Adam(params, amsgrad=True)
    adam.step()
    adam.step()
    state = adam.state[params[1]]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert state["step"].dim() == 0 and state["step"].item() == 2.0
    assert state["step"].dtype == minitorch.float32
    assert state["exp_avg"].shape == params[1].shape
    assert state["exp_avg"].dtype == params[1].dtype
    assert set(optim.Adam(params).state) == set()


def test_state_dict_layout():
    a, b, c = (minitorch.zeros(2, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad = minitorch.ones(2)
    c.grad = minitorch.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 2]  # b had no gradient: no state
    assert set(sd["state"][2]) == {"momentum_buffer"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1] == dict(lr=0.5, momentum=0.9, dampening=0, weight_decay=0,
                                         nesterov=False, maximize=False, params=[2])
    assert "params" in opt.param_groups[0] and opt.param_groups[0]["params"] == [a, b]


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=0.1),
], ids=["sgd", "adam", "adamw"])
def test_state_dict_round_trip_continues_identically(make):
    params = make_params()
    opt = make(params)
    for _ in range(5):
        opt.zero_grad()
        set_grads(params)
        opt.step()
    saved = opt.state_dict()

    clones = [minitorch.tensor(p.detach().numpy(), dtype=p.dtype, requires_grad=True)
              for p in params]
    restored = make(clones)
    restored.param_groups[0]["lr"] = 123.0  # overwritten by the load
    restored.load_state_dict(saved)
    assert restored.param_groups[0]["lr"] == 0.05
    assert restored.param_groups[0]["params"] == clones
    for p, q in zip(params, clones):
        for key, value in opt.state[p].items():
            other = restored.state[q][key]
            if isinstance(value, minitorch.Tensor):
                assert other is not value  # copied, never shared
                np.testing.assert_array_equal(other.numpy(), value.numpy())

    for _ in range(5):
        for ps, o in ((params, opt), (clones, restored)):
            o.zero_grad()
            set_grads(ps)
            o.step()
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    p = minitorch.zeros(2, requires_grad=True)
    p.grad = minitorch.ones(2)
    opt = optim.Adam([p], lr=0.1)
    opt.step()
    q = minitorch.zeros(2, dtype=minitorch.float64, requires_grad=True)
    other = optim.Adam([q], lr=0.1)
    other.load_state_dict(opt.state_dict())
    assert other.state[q]["exp_avg"].dtype == minitorch.float64
    assert other.state[q]["step"].dtype == minitorch.float32


def test_load_state_dict_accepts_a_plain_number_step():
    p = minitorch.zeros(2, dtype=minitorch.float64, requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    state = {"state": {0: {"step": 3, "exp_avg": minitorch.zeros(2, dtype=minitorch.float64),
                           "exp_avg_sq": minitorch.ones(2, dtype=minitorch.float64)}},
             "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(state)
    assert isinstance(opt.state[p]["step"], minitorch.Tensor)
    p.grad = minitorch.ones(2, dtype=minitorch.float64)
    opt.step()
    assert opt.state[p]["step"].item() == 4.0


def test_load_state_dict_errors():
    a, b = minitorch.zeros(1, requires_grad=True), minitorch.zeros(1, requires_grad=True)
    one_group = optim.SGD([a, b], lr=0.1).state_dict()
    two_groups = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two_groups.load_state_dict(one_group)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a], lr=0.1).load_state_dict(one_group)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optim.SGD([a], lr=0.1).load_state_dict({"params": []})


def test_adamw_load_keeps_decoupled_weight_decay():
    p = minitorch.zeros(1, requires_grad=True)
    sd = optim.Adam([p], weight_decay=0.1).state_dict()
    opt = optim.AdamW([p])
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


# --------------------------------------------------------------------------------------------
# errors


def test_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam(iter([]))


def test_non_tensor_parameters():
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is float"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "minitorch.Tensor"):
        optim.SGD(minitorch.zeros(2, requires_grad=True), lr=0.1)


def test_non_leaf_parameter():
    x = minitorch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.Adam(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (lambda p: optim.AdamW(p, lr=-0.5), "Invalid learning rate: -0.5"),
])
def test_invalid_hyper_parameters(make, message):
    with pytest.raises(ValueError) as info:
        make([minitorch.zeros(1, requires_grad=True)])
    assert str(info.value) == message


# --------------------------------------------------------------------------------------------
# learning-rate schedulers


def make_optimizer(lrs=(0.1, 0.3)):
    groups = [{"params": [minitorch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=0.01)


def run_schedule(make_scheduler, epochs, lrs=(0.1, 0.3)):
    opt = make_optimizer(lrs)
    sched = make_scheduler(opt)
    seen = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
        assert seen[-1] == [g["lr"] for g in opt.param_groups]
    return seen, sched, opt


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (7, 0.9)])
def test_step_lr(step_size, gamma):
    seen, sched, opt = run_schedule(lambda o: lr_scheduler.StepLR(o, step_size, gamma), 25)
    for t, lrs in enumerate(seen):
        expected = [base * gamma ** (t // step_size) for base in (0.1, 0.3)]
        assert lrs == pytest.approx(expected, rel=1e-12), f"epoch {t}"
    assert sched.last_epoch == 25
    assert sched.base_lrs == [0.1, 0.3]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.3]


def test_step_lr_default_gamma():
    seen, _, _ = run_schedule(lambda o: lr_scheduler.StepLR(o, step_size=2), 4, lrs=(1.0,))
    assert [lrs[0] for lrs in seen] == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_exponential_lr(gamma):
    seen, _, _ = run_schedule(lambda o: lr_scheduler.ExponentialLR(o, gamma), 25)
    for t, lrs in enumerate(seen):
        assert lrs == pytest.approx([0.1 * gamma**t, 0.3 * gamma**t], rel=1e-12), f"epoch {t}"


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.01), (1, 0.05)])
def test_cosine_annealing_lr(T_max, eta_min):
    epochs = 3 * T_max + 2  # past T_max the cosine rises again
    seen, _, _ = run_schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max, eta_min),
                              epochs)
    for t, lrs in enumerate(seen):
        expected = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
                    for base in (0.1, 0.3)]
        assert lrs == pytest.approx(expected, rel=1e-9, abs=1e-12), f"epoch {t}"
    assert seen[T_max] == pytest.approx([eta_min, eta_min], abs=1e-12)


def test_schedulers_are_recursive():
    """A change of the lr from outside carries on through the schedule (chainable form)."""
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    opt.param_groups[0]["lr"] = 10.0
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [5.0]


def test_scheduler_step_with_epoch_uses_the_closed_form():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched.step(5)
    assert sched.last_epoch == 5 and sched.get_last_lr() == [0.25]


def test_scheduler_state_dict_round_trip():
    seen, sched, opt = run_schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, 10), 4)
    saved = sched.state_dict()
    assert "optimizer" not in saved
    assert saved["last_epoch"] == 4 and saved["base_lrs"] == [0.1, 0.3]

    opt2 = make_optimizer()
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, 10)
    sched2.load_state_dict(saved)
    opt2.load_state_dict(opt.state_dict())  # the lrs of the checkpoint
    for o, s in ((opt, sched), (opt2, sched2)):
        for _ in range(5):
            o.step()
            s.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert sched2.last_epoch == 9


def test_resuming_a_scheduler_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(make_optimizer(), step_size=2, last_epoch=3)
    opt = make_optimizer((1.0,))
    lr_scheduler.StepLR(opt, step_size=2)
    sched = lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)
    assert sched.last_epoch == 4


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)


def test_scheduler_step_before_optimizer_step_warns():
    opt = make_optimizer()
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        sched.step()
    opt = make_optimizer()
    sched = lr_scheduler.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_calling_get_lr_directly_warns():
    sched = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_scheduled_optimizer_uses_the_new_lr():
    p = minitorch.tensor([0.0], dtype=minitorch.float64, requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = minitorch.tensor([-1.0], dtype=minitorch.float64)
        opt.step()
        sched.step()
    assert p.item() == 1.0 + 0.5 + 0.25


def test_submodule_access():
    assert minitorch.optim.lr_scheduler.StepLR is lr_scheduler.StepLR
    assert issubclass(lr_scheduler.CosineAnnealingLR, lr_scheduler.LRScheduler)
    assert issubclass(optim.AdamW, optim.Adam) and issubclass(optim.SGD, optim.Optimizer)
