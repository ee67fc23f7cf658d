"""minitorch.optim against torch.optim, where PyTorch is installed.

Both libraries start from the same parameters (float64) and compute their gradients from the
same loss on the same data (a least-squares fit plus a smooth non-convex term, so that the
gradients keep changing); after each of 20 steps the parameters must agree to float64
precision. One parameter never enters the loss (its .grad stays None: both skip it). The
optimizers' state (names, values) and state_dict layout are compared too, and the three
schedulers' learning-rate sequences.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch import optim  # noqa: E402

STEPS = 20
RTOL, ATOL = 1e-10, 1e-12

_rng = np.random.default_rng(2024)
X = _rng.normal(size=(10, 3))
Y = _rng.normal(size=(10, 2))
W0 = _rng.normal(size=(2, 3))
B0 = _rng.normal(size=(2,))
U0 = _rng.normal(size=(4,))


def make_params(lib):
    return [lib.tensor(a.copy(), dtype=lib.float64, requires_grad=True) for a in (W0, B0, U0)]


def loss_fn(lib, params):
    W, b, _unused = params
    x = lib.tensor(X, dtype=lib.float64)
    y = lib.tensor(Y, dtype=lib.float64)
    residual = x @ W.t() + b - y
    return (residual * residual).mean() + 0.1 * W.tanh().sum() + 0.05 * (b * b * b).sum()


def trajectory(lib, optimizer_cls, kwargs, zero_grad_kwargs=None, steps=STEPS):
    params = make_params(lib)
    opt = optimizer_cls(params, **kwargs)
    path = []
    for _ in range(steps):
        opt.zero_grad(**(zero_grad_kwargs or {}))
        loss_fn(lib, params).backward()
        opt.step()
        path.append([p.detach().numpy().copy() for p in params])
    return path, params, opt


def assert_same_path(mt_path, torch_path):
    for step, (ours, theirs) in enumerate(zip(mt_path, torch_path), start=1):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL,
                                       err_msg=f"parameter {i} after step {step}")


def assert_same_state(mt_opt, mt_params, torch_opt, torch_params):
    for p, q in zip(mt_params, torch_params):
        ours, theirs = mt_opt.state.get(p, {}), torch_opt.state.get(q, {})
        assert set(ours) == set(theirs)
        for key in theirs:
            a, b = ours[key], theirs[key]
            if isinstance(b, torch.Tensor):
                assert a.shape == tuple(b.shape), key
                assert str(a.dtype) == str(b.dtype).replace("torch", "minitorch"), key
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=RTOL, atol=ATOL,
                                           err_msg=key)
            else:
                assert a == b, key
    ours, theirs = mt_opt.state_dict(), torch_opt.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"])
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for g, h in zip(ours["param_groups"], theirs["param_groups"]):
        assert set(g) <= set(h)  # PyTorch adds its implementation switches (foreach, fused)
        assert {k: h[k] for k in g} == g


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.2),
    dict(lr=0.05, momentum=0.7, weight_decay=0.1, nesterov=True),
    dict(lr=0.02, momentum=0.5, dampening=0.5, weight_decay=0.05, maximize=True),
    dict(lr=0.1, maximize=True),
]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=str)
def test_sgd_matches_torch(kwargs):
    ours, mt_params, mt_opt = trajectory(minitorch, optim.SGD, kwargs)
    theirs, t_params, t_opt = trajectory(torch, torch.optim.SGD, kwargs)
    assert_same_path(ours, theirs)
    assert_same_state(mt_opt, mt_params, t_opt, t_params)


ADAM_CASES = [
    dict(lr=0.05),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, weight_decay=0.1, amsgrad=True),
    dict(lr=0.02, maximize=True),
    dict(lr=0.02, weight_decay=0.3, amsgrad=True, maximize=True),
    dict(lr=0.1, betas=(0.5, 0.8), eps=1e-4),
    dict(lr=0.1, betas=(0.0, 0.0)),
    dict(lr=0.1, betas=(0.7, 0.9), weight_decay=0.05, amsgrad=True),
]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=str)
def test_adam_and_adamw_match_torch(name, kwargs):
    ours, mt_params, mt_opt = trajectory(minitorch, getattr(optim, name), kwargs)
    theirs, t_params, t_opt = trajectory(torch, getattr(torch.optim, name), kwargs)
    assert_same_path(ours, theirs)
    assert_same_state(mt_opt, mt_params, t_opt, t_params)


def test_adam_decoupled_weight_decay_flag_matches_torch():
    kwargs = dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)
    ours, _, _ = trajectory(minitorch, optim.Adam, kwargs)
    theirs, _, _ = trajectory(torch, torch.optim.Adam, kwargs)
    assert_same_path(ours, theirs)


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05, amsgrad=True)),
])
def test_zero_grad_set_to_none_false_matches_torch(name, kwargs):
    """Zeroed (not None) gradients: even the unused parameter is stepped (decay, moments)."""
    ours, *_ = trajectory(minitorch, getattr(optim, name), kwargs, {"set_to_none": False})
    theirs, *_ = trajectory(torch, getattr(torch.optim, name), kwargs, {"set_to_none": False})
    assert_same_path(ours, theirs)


def test_param_groups_match_torch():
    def run(lib, opt_module):
        params = make_params(lib)
        opt = opt_module.SGD([{"params": params[:1], "lr": 0.01, "momentum": 0.9},
                              {"params": params[1:], "nesterov": True}],
                             lr=0.05, momentum=0.5)
        path = []
        for _ in range(STEPS):
            opt.zero_grad()
            loss_fn(lib, params).backward()
            opt.step()
            path.append([p.detach().numpy().copy() for p in params])
        return path

    assert_same_path(run(minitorch, optim), run(torch, torch.optim))


def test_state_dict_round_trip_matches_torch():
    """Save after 10 steps, load into a fresh optimizer over copies, go on 10 more steps."""

    def run(lib, cls):
        params = make_params(lib)
        opt = cls(params, lr=0.05, amsgrad=True, weight_decay=0.1)
        for _ in range(10):
            opt.zero_grad()
            loss_fn(lib, params).backward()
            opt.step()
        copies = [lib.tensor(p.detach().numpy().copy(), dtype=lib.float64, requires_grad=True)
                  for p in params]
        fresh = cls(copies, lr=0.05, amsgrad=True, weight_decay=0.1)
        fresh.load_state_dict(opt.state_dict())
        for _ in range(10):
            fresh.zero_grad()
            loss_fn(lib, copies).backward()
            fresh.step()
        return [[p.detach().numpy() for p in copies]]

    assert_same_path(run(minitorch, optim.AdamW), run(torch, torch.optim.AdamW))


# --------------------------------------------------------------------------------------------
# schedulers


SCHEDULER_CASES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.5)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=1, eta_min=0.001)),
]


def lr_sequence(lib, opt_module, name, kwargs, epochs=30):
    params = [lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)]
    opt = opt_module.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    sched = getattr(opt_module.lr_scheduler, name)(opt, **kwargs)
    seen = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
    return seen, sched


@pytest.mark.parametrize("name, kwargs", SCHEDULER_CASES, ids=str)
def test_scheduler_lrs_match_torch(name, kwargs):
    ours, mt_sched = lr_sequence(minitorch, optim, name, kwargs)
    theirs, t_sched = lr_sequence(torch, torch.optim, name, kwargs)
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-14, abs=1e-15), f"epoch {epoch}"
    assert mt_sched.last_epoch == t_sched.last_epoch
    assert mt_sched.base_lrs == t_sched.base_lrs
    assert set(mt_sched.state_dict()) <= set(t_sched.state_dict())


@pytest.mark.parametrize("name, kwargs", SCHEDULER_CASES, ids=str)
def test_scheduler_closed_form_step_matches_torch(name, kwargs):
    def run(lib, opt_module):
        opt = opt_module.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched = getattr(opt_module.lr_scheduler, name)(opt, **kwargs)
        opt.step()
        seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (5, 2, 9, 13):
                sched.step(epoch)
                seen.extend(sched.get_last_lr())
        return seen

    assert run(minitorch, optim) == pytest.approx(run(torch, torch.optim), rel=1e-14)
