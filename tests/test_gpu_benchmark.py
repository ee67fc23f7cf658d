"""benchmarks/gpu.py: it stops with a clear message where there is no GPU, and its --smoke run
(tiny sizes, on the CUDA simulator here) goes through every part with results that match."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import minitorch

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "gpu.py"


def run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # (this checkout's minitorch)
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=600, env=env, cwd=SCRIPT.parent)


@pytest.mark.skipif(not minitorch.cuda.simulated(), reason="a GPU is here: the script runs")
def test_without_a_gpu_it_says_it_needs_one():
    out = run()
    assert out.returncode != 0
    assert "needs an NVIDIA GPU" in out.stderr


def test_smoke_run_checks_every_part():
    out = run("--smoke")
    assert out.returncode == 0, out.stderr
    for table in ("matmul f32", "a + b f32", "sum(dim=1)", "conv2d f32 fwd+bwd",
                  "quickstart epoch"):
        assert table in out.stdout
    assert "False" not in out.stdout  # every "match" column
    assert out.stdout.count("True") == 4
