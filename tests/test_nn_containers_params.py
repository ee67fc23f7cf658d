"""ParameterList and ParameterDict: their parameters are registered (parameters(),
state_dict() and load_state_dict() see them), tensors become Parameters, and they print as
PyTorch's."""

import pytest

import minitorch
import minitorch.nn as nn


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.ps = nn.ParameterList([minitorch.zeros(2, 3), nn.Parameter(minitorch.ones(2))])
        self.pd = nn.ParameterDict({"a": nn.Parameter(minitorch.zeros(1)),
                                    "b": minitorch.ones(2, dtype=minitorch.float64)})


def test_parameters_are_registered_and_saved():
    model = Holder()
    assert [name for name, _ in model.named_parameters()] == ["ps.0", "ps.1", "pd.a", "pd.b"]
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    state = model.state_dict()
    assert list(state) == ["ps.0", "ps.1", "pd.a", "pd.b"]
    other = Holder()
    with minitorch.no_grad():
        other.ps[0].fill_(7.0)
    model.load_state_dict(other.state_dict())
    assert model.ps[0].tolist() == [[7.0] * 3] * 2


def test_list_operations():
    ps = nn.ParameterList()
    ps.append(minitorch.zeros(1)).extend([minitorch.ones(2), minitorch.ones(3)])
    assert len(ps) == 3 and [p.shape[0] for p in ps] == [1, 2, 3]
    assert ps[-1].shape == (3,) and len(ps[1:]) == 2
    ps[0] = minitorch.full((4,), 2.0)
    assert isinstance(ps[0], nn.Parameter) and ps[0].shape == (4,)
    with pytest.raises(IndexError, match="out of range"):
        ps[3]
    with pytest.raises(TypeError, match="should be called with an iterable"):
        ps.extend(5)


def test_dict_operations():
    pd = nn.ParameterDict([("w", minitorch.zeros(2))])
    pd["b"] = minitorch.ones(1)
    assert list(pd) == ["w", "b"] and "b" in pd and len(pd) == 2
    assert list(pd.keys()) == ["w", "b"] and [v.shape for v in pd.values()] == [(2,), (1,)]
    popped = pd.pop("w")
    assert popped.shape == (2,) and list(pd) == ["b"]
    assert pd.get("missing") is None
    assert [name for name, _ in pd.named_parameters()] == ["b"]


def test_printed_forms_are_pytorchs():
    model = Holder()
    assert repr(model) == (
        "Holder(\n"
        "  (ps): ParameterList(\n"
        "      (0): Parameter containing: [minitorch.float32 of size 2x3]\n"
        "      (1): Parameter containing: [minitorch.float32 of size 2]\n"
        "  )\n"
        "  (pd): ParameterDict(\n"
        "      (a): Parameter containing: [minitorch.FloatTensor of size 1]\n"
        "      (b): Parameter containing: [minitorch.DoubleTensor of size 2]\n"
        "  )\n"
        ")"
    )
    assert repr(nn.ParameterList()) == "ParameterList()"
