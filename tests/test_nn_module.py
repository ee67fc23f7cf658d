"""`nn.Module`, `nn.Parameter` and the containers: registration, traversal, modes, gradients,
conversion, `state_dict`, and the printed forms, checked against what PyTorch gives.

The expected strings and names below were printed by PyTorch 2.13 for the same models
(tests/parity/test_nn_parity.py compares them live where PyTorch is installed).
"""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch import nn


def count(model):
    return sum(p.numel() for p in model.parameters())


class Net(nn.Module):
    """A model with every kind of member: layers, a container, a norm with buffers, an extra
    parameter, a buffer of its own and a plain attribute."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.block = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 6))
        self.bn = nn.BatchNorm1d(6)
        self.scale = nn.Parameter(minitorch.ones(1))
        self.register_buffer("steps", minitorch.zeros(1))
        self.fc2 = nn.Linear(6, 2)
        self.note = "not a member"

    def forward(self, x):
        return self.fc2(self.bn(self.block(self.fc1(x))) * self.scale)


NET_REPR = (
    "Net(\n"
    "  (fc1): Linear(in_features=4, out_features=8, bias=True)\n"
    "  (block): Sequential(\n"
    "    (0): Linear(in_features=8, out_features=8, bias=True)\n"
    "    (1): ReLU()\n"
    "    (2): Linear(in_features=8, out_features=6, bias=True)\n"
    "  )\n"
    "  (bn): BatchNorm1d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, "
    "track_running_stats=True)\n"
    "  (fc2): Linear(in_features=6, out_features=2, bias=True)\n"
    ")"
)

NET_STATE_KEYS = [
    "scale", "steps", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias",
    "block.2.weight", "block.2.bias", "bn.weight", "bn.bias", "bn.running_mean",
    "bn.running_var", "bn.num_batches_tracked", "fc2.weight", "fc2.bias",
]


# ----- the classic counts and printed forms ---------------------------------------------------
def test_the_classic_mlp_has_101770_parameters_and_prints_like_pytorch():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    assert count(model) == 101_770
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=128, out_features=10, bias=True)\n"
        ")"
    )


def test_a_50_30_20_3_mlp_has_2213_parameters():
    model = nn.Sequential(nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 20), nn.ReLU(),
                          nn.Linear(20, 3))
    assert count(model) == 2_213
    assert [tuple(p.shape) for p in model.parameters()] == [
        (30, 50), (30,), (20, 30), (20,), (3, 20), (3,)]


@given(st.lists(st.integers(1, 12), min_size=2, max_size=5), st.booleans())
def test_parameter_count_of_any_mlp_is_the_sum_of_weights_and_biases(sizes, bias):
    layers = [nn.Linear(i, o, bias=bias) for i, o in zip(sizes, sizes[1:])]
    model = nn.Sequential(*layers)
    expected = sum(i * o + (o if bias else 0) for i, o in zip(sizes, sizes[1:]))
    assert count(model) == expected
    assert len(list(model.parameters())) == len(layers) * (2 if bias else 1)


def test_a_nested_model_prints_like_pytorch():
    assert repr(Net()) == NET_REPR


@pytest.mark.parametrize("module, text", [
    (nn.Linear(3, 1, bias=False), "Linear(in_features=3, out_features=1, bias=False)"),
    (nn.ReLU(), "ReLU()"),
    (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, inplace=True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.Sigmoid(), "Sigmoid()"),
    (nn.Tanh(), "Tanh()"),
    (nn.GELU(), "GELU(approximate='none')"),
    (nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (nn.Softmax(), "Softmax(dim=None)"),
    (nn.LogSoftmax(dim=1), "LogSoftmax(dim=1)"),
    (nn.Identity(), "Identity()"),
    (nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
    (nn.Dropout(), "Dropout(p=0.5, inplace=False)"),
    (nn.Dropout(0.2), "Dropout(p=0.2, inplace=False)"),
    (nn.BatchNorm1d(10), "BatchNorm1d(10, eps=1e-05, momentum=0.1, affine=True, "
                         "bias=True, track_running_stats=True)"),
    (nn.LayerNorm(10), "LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)"),
    (nn.LayerNorm([2, 3], eps=1e-6, bias=False),
     "LayerNorm((2, 3), eps=1e-06, elementwise_affine=True, bias=False)"),
    (nn.BatchNorm1d(4, bias=False), "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, "
                                    "bias=False, track_running_stats=True)"),
    (nn.Embedding(10, 3), "Embedding(10, 3)"),
    (nn.Embedding(10, 3, padding_idx=-1), "Embedding(10, 3, padding_idx=9)"),
    (nn.MSELoss(), "MSELoss()"),
    (nn.CrossEntropyLoss(), "CrossEntropyLoss()"),
    (nn.Sequential(), "Sequential()"),
    (nn.ModuleList(), "ModuleList()"),
    (nn.ModuleDict(), "ModuleDict()"),
])
def test_layers_print_like_pytorch(module, text):
    assert repr(module) == text


def test_a_module_list_prints_repeated_modules_once_like_pytorch():
    layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)] + [nn.ReLU(), nn.Linear(4, 2)])
    assert repr(layers) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=4, out_features=4, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Linear(in_features=4, out_features=2, bias=True)\n"
        ")"
    )


def test_extra_repr_of_a_custom_module_and_a_multiline_one():
    class Scale(nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor
            self.inner = nn.Identity()

        def extra_repr(self):
            return f"factor={self.factor}"

    assert repr(Scale(2)) == "Scale(\n  factor=2\n  (inner): Identity()\n)"
    assert repr(nn.Sequential(Scale(3))) == (
        "Sequential(\n  (0): Scale(\n    factor=3\n    (inner): Identity()\n  )\n)")


def test_parameter_prints_like_pytorch_and_is_a_leaf_that_requires_grad():
    p = nn.Parameter(minitorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert repr(p) == (
        "Parameter containing:\n"
        "tensor([[1., 2.],\n"
        "        [3., 4.]], requires_grad=True)"
    )
    assert isinstance(p, minitorch.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    frozen = nn.Parameter(minitorch.zeros(2), requires_grad=False)
    assert not frozen.requires_grad
    assert repr(frozen) == "Parameter containing:\ntensor([0., 0.])"
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"


def test_parameter_shares_storage_and_its_results_are_plain_tensors():
    t = minitorch.zeros(3)
    p = nn.Parameter(t)
    t[0] = 5.0
    assert p[0].item() == 5.0
    for result in (p * 2, p.detach(), p[1:], p.sum(), p.reshape(3, 1)):
        assert type(result) is minitorch.Tensor
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [10.0, 0.0, 0.0])


def test_parameter_of_an_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minitorch.tensor([1, 2]))
    assert not nn.Parameter(minitorch.tensor([1, 2]), requires_grad=False).requires_grad


def test_parameters_copy_and_pickle():
    p = nn.Parameter(minitorch.tensor([1.0, 2.0], dtype=minitorch.float64))
    (p * 3).sum().backward()
    for other in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(other) is nn.Parameter and other.requires_grad
        assert other.dtype is minitorch.float64
        np.testing.assert_array_equal(other.detach().numpy(), [1.0, 2.0])
        other.data.fill_(0.0)
        assert p[0].item() == 1.0  # its own storage


# ----- registration ---------------------------------------------------------------------------
def test_assignment_registers_parameters_modules_and_buffers_in_order():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._buffers) == ["steps"]
    assert list(net._modules) == ["fc1", "block", "bn", "fc2"]
    assert net.note == "not a member" and "note" not in net.state_dict()
    assert net.fc1.weight is net._modules["fc1"]._parameters["weight"]


def test_a_typo_raises_attribute_error_naming_the_class_and_attribute():
    model = nn.Linear(2, 3)
    with pytest.raises(AttributeError) as info:
        model.wieght  # noqa: B018
    assert str(info.value) == "'Linear' object has no attribute 'wieght'"
    assert not hasattr(Net(), "fc3")
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'fc3'"):
        Net().fc3  # noqa: B018


def test_assigning_before_init_says_what_is_missing():
    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\)"):
        Forgot()

    class ForgotParam(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minitorch.zeros(2))

    with pytest.raises(AttributeError, match="cannot assign parameters before"):
        ForgotParam()


def test_a_missing_forward_says_so():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(minitorch.zeros(1))


def test_reassignment_replaces_and_none_keeps_the_slot():
    model = nn.Linear(2, 3)
    model.bias = None
    assert model.bias is None
    assert [n for n, _ in model.named_parameters()] == ["weight"]
    assert list(model.state_dict()) == ["weight"]
    with pytest.raises(TypeError, match="cannot assign 'minitorch.FloatTensor' as parameter "
                                        "'weight'"):
        model.weight = minitorch.zeros(3, 2)
    model.weight = nn.Parameter(minitorch.zeros(3, 2))
    assert model.weight.sum().item() == 0.0
    with pytest.raises(TypeError, match="as child module"):
        seq = nn.Sequential(nn.ReLU())
        setattr(seq, "0", 5)


def test_a_plain_attribute_that_becomes_a_module_moves_registries():
    m = nn.Module()
    m.thing = 3
    m.thing = nn.ReLU()
    assert "thing" not in m.__dict__ and m._modules["thing"] is m.thing
    m.thing = nn.Parameter(minitorch.zeros(1))
    assert "thing" not in m._modules and m._parameters["thing"] is m.thing
    del m.thing
    assert not hasattr(m, "thing")


def test_register_parameter_buffer_and_module_validate_names_and_values():
    m = nn.Module()
    with pytest.raises(KeyError, match="name can.*t contain"):
        m.register_parameter("a.b", nn.Parameter(minitorch.zeros(1)))
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", minitorch.zeros(1))
    with pytest.raises(TypeError, match="should be a string"):
        m.add_module(3, nn.ReLU())
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_parameter("training", None)
    with pytest.raises(TypeError, match="cannot assign 'minitorch.FloatTensor' object to "
                                        "parameter 'w'"):
        m.register_parameter("w", minitorch.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("c", 3)


def test_a_non_persistent_buffer_stays_out_of_state_dict():
    m = nn.Module()
    m.register_buffer("kept", minitorch.zeros(2))
    m.register_buffer("scratch", minitorch.zeros(2), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.state_dict()) == ["kept"]
    m.scratch = minitorch.ones(3)  # a buffer may be replaced by any tensor
    assert m.scratch.shape == (3,)
    with pytest.raises(TypeError, match="as buffer 'kept'"):
        m.kept = 1.0


# ----- traversal ------------------------------------------------------------------------------
def test_named_modules_parameters_buffers_children_in_pytorch_order():
    net = Net()
    assert [n for n, _ in net.named_modules()] == [
        "", "fc1", "block", "block.0", "block.1", "block.2", "bn", "fc2"]
    assert [n for n, _ in net.named_children()] == ["fc1", "block", "bn", "fc2"]
    assert list(net.children()) == [net.fc1, net.block, net.bn, net.fc2]
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias", "block.2.weight",
        "block.2.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="model")][:2] == [
        "model.scale", "model.fc1.weight"]
    assert [n for n, _ in net.named_buffers()] == [
        "steps", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert len(list(net.buffers())) == 4 and len(list(net.modules())) == 8
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert count(model) == 12
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert list(model.named_children()) == [("0", shared), ("1", model[1])]
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]

    tied = nn.Module()
    tied.encoder = nn.Linear(4, 4, bias=False)
    tied.decoder = nn.Linear(4, 4, bias=False)
    tied.decoder.weight = tied.encoder.weight
    assert [n for n, _ in tied.named_parameters()] == ["encoder.weight"]


def test_get_submodule_parameter_and_buffer():
    net = Net()
    assert net.get_submodule("") is net
    assert net.get_submodule("block.2") is net.block[2]
    assert net.get_parameter("block.0.bias") is net.block[0].bias
    assert net.get_buffer("bn.running_var") is net.bn.running_var
    with pytest.raises(AttributeError, match="Sequential has no attribute `5`"):
        net.get_submodule("block.5")
    with pytest.raises(AttributeError, match="`note` is not an nn.Module"):
        net.get_submodule("note")


def test_dir_lists_members_for_tab_completion():
    names = dir(Net())
    for name in ("fc1", "block", "scale", "steps", "forward", "parameters", "note"):
        assert name in names
    assert "0" not in dir(nn.Sequential(nn.ReLU()))


# ----- modes, gradients, apply ----------------------------------------------------------------
def test_train_and_eval_reach_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.block.train(False)
    assert net.training and not net.block[0].training and net.fc1.training
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_zero_grad_sets_none_or_zeros():
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    model(minitorch.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    for p in model.parameters():
        assert p.grad is not None and not p.grad.requires_grad
        assert p.grad.abs().sum().item() == 0.0
    model(minitorch.randn(5, 3)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_gradients_accumulate_until_zeroed():
    model = nn.Linear(2, 1)
    x = minitorch.tensor([[1.0, 2.0]])
    model(x).sum().backward()
    model(x).sum().backward()
    np.testing.assert_array_equal(model.weight.grad.numpy(), [[2.0, 4.0]])
    np.testing.assert_array_equal(model.bias.grad.numpy(), [2.0])


def test_apply_visits_children_first_then_the_module():
    visited = []
    net = Net()
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited == ["Linear", "Linear", "ReLU", "Linear", "Sequential", "BatchNorm1d",
                       "Linear", "Net"]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    net.apply(init_weights)
    assert net.block[2].weight.detach().numpy().tolist() == [[0.5] * 8] * 6
    assert net.fc1.weight.is_leaf and net.fc1.weight.grad_fn is None


def test_requires_grad_freezes_parameters():
    net = Net()
    net.block.requires_grad_(False)
    assert not any(p.requires_grad for p in net.block.parameters())
    assert net.fc1.weight.requires_grad
    net(minitorch.randn(3, 4)).sum().backward()
    assert net.block[0].weight.grad is None and net.fc1.weight.grad is not None


def test_forward_hooks_run_and_can_be_removed():
    model = nn.Linear(2, 2)
    seen = []
    handle = model.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    model(minitorch.zeros(3, 2))
    handle.remove()
    model(minitorch.zeros(3, 2))
    assert seen == [(3, 2)]


# ----- conversion -----------------------------------------------------------------------------
def test_to_dtype_converts_floating_parameters_and_buffers_in_place():
    net = Net()
    params = list(net.parameters())
    before = net.fc1.weight.detach().numpy().copy()
    assert net.to(minitorch.float64) is net
    assert list(net.parameters()) == params  # the same objects: an optimizer keeps them
    assert all(p.dtype is minitorch.float64 and isinstance(p, nn.Parameter) for p in params)
    assert net.bn.running_mean.dtype is minitorch.float64
    assert net.steps.dtype is minitorch.float64
    assert net.bn.num_batches_tracked.dtype is minitorch.int64
    np.testing.assert_array_equal(net.fc1.weight.detach().numpy(), before)
    out = net(minitorch.randn(3, 4, dtype=minitorch.float64))
    assert out.dtype is minitorch.float64
    out.sum().backward()
    assert net.fc1.weight.grad.dtype is minitorch.float64
    net.float()
    assert net.fc1.weight.dtype is minitorch.float32 and net.fc1.weight.grad.dtype is \
        minitorch.float32
    assert net.to("cpu") is net and net.cpu() is net
    assert net.double().fc2.bias.dtype is minitorch.float64


def test_to_an_integer_dtype_is_refused():
    with pytest.raises(TypeError, match="floating point"):
        nn.Linear(2, 2).to(minitorch.int64)


def test_a_model_deep_copies_into_an_independent_model():
    net = Net()
    twin = copy.deepcopy(net)
    assert repr(twin) == repr(net)
    with minitorch.no_grad():
        twin.fc1.weight.fill_(0.0)
    assert net.fc1.weight.abs().sum().item() > 0
    assert isinstance(twin.fc1.weight, nn.Parameter)


# ----- state_dict -----------------------------------------------------------------------------
def test_state_dict_keys_order_and_values():
    net = Net()
    state = net.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == NET_STATE_KEYS
    for key, value in state.items():
        assert type(value) is minitorch.Tensor and not value.requires_grad, key
    assert state["bn.num_batches_tracked"].dtype is minitorch.int64
    with minitorch.no_grad():
        net.fc1.bias.fill_(7.0)
    assert state["fc1.bias"].tolist() == [7.0] * 8  # detached, sharing storage
    assert nn.Sequential(nn.Linear(2, 2)).state_dict().keys() == {"0.weight", "0.bias"}
    kept = net.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is net.fc1.weight and kept["bn.running_var"] is net.bn.running_var


def test_state_dict_round_trip_copies_values_in_place():
    minitorch.manual_seed(3)
    source, target = Net(), Net()
    source.train()(minitorch.randn(5, 4))  # moves the running statistics
    weight = target.fc1.weight
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.fc1.weight is weight  # copied in place
    for (key, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)
    assert target.bn.num_batches_tracked.item() == 1
    x = minitorch.randn(3, 4)
    source.eval(), target.eval()
    np.testing.assert_array_equal(source(x).detach().numpy(), target(x).detach().numpy())
    assert target.fc1.weight.requires_grad and target.fc1.weight.is_leaf


def test_strict_loading_names_missing_and_unexpected_keys_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    state = model.state_dict()
    del state["2.bias"]
    state["2.scale"] = minitorch.zeros(1)
    state["5.weight"] = minitorch.zeros(1)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Sequential:\n"
        '\tMissing key(s) in state_dict: "2.bias". \n'
        '\tUnexpected key(s) in state_dict: "5.weight", "2.scale". '
    )
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["2.bias"] and unexpected == ["5.weight", "2.scale"]  # top module first
    result = model.load_state_dict(state, strict=False)
    assert repr(result) == ("_IncompatibleKeys(missing_keys=['2.bias'], "
                            "unexpected_keys=['5.weight', '2.scale'])")


def test_loading_a_wrong_shape_names_both_shapes_even_when_not_strict():
    model = nn.Sequential(nn.Linear(2, 3))
    state = {"0.weight": minitorch.zeros(4, 2), "0.bias": minitorch.zeros(3)}
    expected = (
        "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 0.weight: copying "
        "a param with shape minitorch.Size([4, 2]) from checkpoint, the shape in current "
        "model is minitorch.Size([3, 2]).")
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            model.load_state_dict(state, strict=strict)
        assert str(info.value) == expected


def test_load_state_dict_with_assign_takes_the_tensors_themselves():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(state, assign=True)
    assert isinstance(model[0].weight, nn.Parameter) and model[0].weight.requires_grad
    with minitorch.no_grad():
        state["0.weight"].fill_(3.0)
        state["1.running_mean"].fill_(4.0)
    assert model[0].weight.sum().item() == 12.0  # shares the checkpoint's storage
    assert model[1].running_mean.tolist() == [4.0, 4.0]


def test_loading_a_non_tensor_value_is_reported():
    model = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match='While copying the parameter named "bias"'):
        model.load_state_dict({"weight": minitorch.zeros(1, 1), "bias": [0.0]})


@given(st.lists(st.integers(1, 6), min_size=2, max_size=4), st.integers(0, 2**16))
def test_state_dict_round_trip_reproduces_outputs(sizes, seed):
    minitorch.manual_seed(seed)

    def build():
        layers = []
        for i, o in zip(sizes, sizes[1:]):
            layers += [nn.Linear(i, o), nn.Tanh()]
        return nn.Sequential(*layers)

    a, b = build(), build()
    b.load_state_dict(a.state_dict())
    x = minitorch.randn(3, sizes[0])
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


# ----- containers -----------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_growth():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh()]
    seq = nn.Sequential(*layers)
    assert len(seq) == 4 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[3] and seq[-4] is layers[0]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]  # noqa: B018
    head = seq[:2]
    assert type(head) is nn.Sequential and list(head) == layers[:2]
    assert [n for n, _ in seq[1:3].named_children()] == ["1", "2"]  # PyTorch keeps the keys
    assert seq.append(nn.Linear(4, 1)) is seq and len(seq) == 5
    assert seq(minitorch.zeros(7, 2)).shape == (7, 1)
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Tanh", "Linear"]
    assert list(seq._modules) == ["0", "1", "2", "3"]
    seq.insert(1, nn.ReLU())
    assert type(seq[1]) is nn.ReLU and len(seq) == 5
    seq[0] = nn.Linear(2, 3, bias=False)
    assert seq[0].bias is None
    assert len(seq + nn.Sequential(nn.ReLU())) == 6


def test_sequential_from_an_ordered_dict_keeps_the_names():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert seq.fc is seq[0] and seq.act is seq[-1]
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert repr(seq) == ("Sequential(\n  (fc): Linear(in_features=2, out_features=2, "
                         "bias=True)\n  (act): ReLU()\n)")


def test_module_list_is_a_registered_list():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    assert len(layers) == 2 and count(layers) == 12
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh(), nn.Sigmoid()])
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == [
        "Identity", "Linear", "Linear", "ReLU", "Tanh", "Sigmoid"]
    assert type(layers[-1]) is nn.Sigmoid
    assert type(layers[1:3]) is nn.ModuleList and len(layers[1:3]) == 2
    assert list(layers._modules) == [str(i) for i in range(6)]
    with pytest.raises(IndexError):
        layers[6]  # noqa: B018
    with pytest.raises(TypeError, match="iterable"):
        layers.extend(nn.ReLU())

    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(4)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    stack = Stack()
    assert count(stack) == 48
    assert list(stack.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    assert stack(minitorch.zeros(2, 3)).shape == (2, 3)


def test_module_dict_is_a_registered_mapping():
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.ReLU()})
    heads["c"] = nn.Linear(2, 2)
    assert list(heads) == ["a", "b", "c"] and list(heads.keys()) == ["a", "b", "c"]
    assert "b" in heads and len(heads) == 3 and heads["a"] is heads.a
    assert [k for k, _ in heads.items()] == ["a", "b", "c"]
    assert count(heads) == 3 + 6
    assert heads.pop("b") is not None and "b" not in heads
    heads.update([("d", nn.Tanh())])
    assert list(heads.values())[-1].__class__ is nn.Tanh
    assert repr(heads) == (
        "ModuleDict(\n"
        "  (a): Linear(in_features=2, out_features=1, bias=True)\n"
        "  (c): Linear(in_features=2, out_features=2, bias=True)\n"
        "  (d): Tanh()\n"
        ")"
    )
    heads.clear()
    assert len(heads) == 0
