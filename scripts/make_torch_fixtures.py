"""Write the PyTorch checkpoints in tests/fixtures/torch_checkpoints/ (needs torch).

    python scripts/make_torch_fixtures.py

minitorch's tests read these files without torch, and rebuild every expected value with
NumPy from the formulas below, so keep the two in step when changing either:

- dtypes.pt: {name: tensor}: "float32" arange(6).reshape(2, 3) / 4 - 0.5; "float64"
  arange(6) / 3; "float16" arange(-3, 3) / 2; "bfloat16" arange(-3, 3) * 0.5; "int64"
  arange(-3, 3) * 2**40; "int32" arange(-3, 3) * 2**20; "int16" arange(-3, 3) * 1000;
  "int8" arange(-128, 128, 51); "uint8" arange(250, 256); "bool" arange(6) % 3 == 0;
  "scalar" 2.5 (0-d); "empty" zeros(0, 3).
- views.pt: base = arange(12.).reshape(3, 4) (float32) and views of its one storage:
  {"base": base, "row": base[1], "column": base[:, 2], "transposed": base.t(),
  "strided": base[1:, ::2]}.
- checkpoint.pt: {"model": the state_dict of MLP = Sequential(Linear(3, 4), ReLU(),
  Linear(4, 2)) whose parameters (float32) hold, element i in row-major order,
  ((7 i) mod 11 - 5) / 8; "optimizer": the state_dict of Adam(lr=0.01) after one step with
  the gradient of each parameter set to ((3 i) mod 5 - 2) / 4 (the model's weights are saved
  before the step); "param": nn.Parameter(arange(4.)); "frozen": nn.Parameter(ones(2),
  requires_grad=False); "epoch": 3; "loss": 0.25; "name": "mlp"; "history": [1.0, 0.5, 0.25];
  "flags": (True, None); "blob": b"\\x00\\xffab"}.
- legacy.pt: arange(3), saved with _use_new_zipfile_serialization=False (the format
  before PyTorch 1.6, which minitorch refuses with a clear message).
"""

from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "torch_checkpoints"


def weight_values(n):
    return ((torch.arange(n) * 7) % 11 - 5).float() / 8


def grad_values(n):
    return ((torch.arange(n) * 3) % 5 - 2).float() / 4


def dtypes():
    r = torch.arange(-3, 3)
    return {
        "float32": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4 - 0.5,
        "float64": torch.arange(6, dtype=torch.float64) / 3,
        "float16": r.to(torch.float16) / 2,
        "bfloat16": r.to(torch.bfloat16) * 0.5,
        "int64": r * 2**40,
        "int32": r.to(torch.int32) * 2**20,
        "int16": r.to(torch.int16) * 1000,
        "int8": torch.arange(-128, 128, 51).to(torch.int8),
        "uint8": torch.arange(250, 256).to(torch.uint8),
        "bool": torch.arange(6) % 3 == 0,
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }


def views():
    base = torch.arange(12.0).reshape(3, 4)
    return {"base": base, "row": base[1], "column": base[:, 2], "transposed": base.t(),
            "strided": base[1:, ::2]}


def checkpoint():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(weight_values(p.numel()).reshape(p.shape))
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for p in model.parameters():
        p.grad = grad_values(p.numel()).reshape(p.shape)
    optimizer.step()
    state = model.state_dict()  # keeps its _metadata; the values from before the step:
    state.update(weights)
    return {
        "model": state, "optimizer": optimizer.state_dict(),
        "param": torch.nn.Parameter(torch.arange(4.0)),
        "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False),
        "epoch": 3, "loss": 0.25, "name": "mlp", "history": [1.0, 0.5, 0.25],
        "flags": (True, None), "blob": b"\x00\xffab",
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(dtypes(), OUT / "dtypes.pt")
    torch.save(views(), OUT / "views.pt")
    torch.save(checkpoint(), OUT / "checkpoint.pt")
    torch.save(torch.arange(3), OUT / "legacy.pt", _use_new_zipfile_serialization=False)
    for path in sorted(OUT.glob("*.pt")):
        print(f"{path.relative_to(OUT.parent.parent.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
