"""`minitorch.cuda`: the GPU, as code written for `torch.cuda` asks about it.

minitorch's `cuda` backend runs on one NVIDIA GPU through numba.cuda, or, where there is none,
on Numba's CUDA simulator: set NUMBA_ENABLE_CUDASIM=1 before minitorch (or numba) is
imported, and "cuda" tensors run the same kernels as Python threads on the CPU (slowly: keep
them small). Nothing here imports numba until a question needs it.
"""

import os

_SIMULATOR_HINT = (
    "To run CUDA tensors without a GPU, turn on Numba's CUDA simulator: set the environment "
    "variable NUMBA_ENABLE_CUDASIM=1 before importing minitorch (in a notebook: "
    "`import os; os.environ['NUMBA_ENABLE_CUDASIM'] = '1'` in the first cell, then restart "
    "the kernel)."
)

_state = {"available": None}


def simulated():
    """Whether "cuda" means Numba's CUDA simulator here (NUMBA_ENABLE_CUDASIM=1)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def is_available():
    """True with an NVIDIA GPU and its driver, or when the CUDA simulator is on."""
    if _state["available"] is None:
        try:
            from numba import cuda

            _state["available"] = bool(cuda.is_available())
        except Exception:  # (no numba.cuda, or no CUDA libraries: no GPU for us)
            _state["available"] = False
    return _state["available"]


def check_available():
    """Raise PyTorch's error, with what to do about it, when there is no GPU to use."""
    if not is_available():
        raise AssertionError(
            "Torch not compiled with CUDA enabled: minitorch found no NVIDIA GPU (or its "
            f"driver) here. {_SIMULATOR_HINT}"
        )


def device_count():
    return 1 if is_available() else 0


def current_device():
    check_available()
    return 0


def _check_index(device):
    index = getattr(device, "index", device)
    if index not in (None, 0):
        raise RuntimeError(f"CUDA error: invalid device ordinal (minitorch uses one GPU, "
                           f"cuda:0; got {device})")


def get_device_name(device=None):
    """The GPU's name ("Numba CUDA simulator" on the simulator)."""
    check_available()
    _check_index(device)
    if simulated():
        return "Numba CUDA simulator"
    from numba import cuda

    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    """Wait until the GPU has finished every kernel launched so far (for timings)."""
    check_available()
    from numba import cuda

    from . import cuda_memory

    cuda.synchronize()
    cuda_memory.check_device_asserts()


def memory_allocated(device=None):
    """Bytes of GPU memory held by tensors now."""
    if not is_available():
        return 0
    from . import cuda_memory

    return cuda_memory.memory_allocated()


def max_memory_allocated(device=None):
    """The most bytes of GPU memory tensors held at once (since the last reset)."""
    if not is_available():
        return 0
    from . import cuda_memory

    return cuda_memory.max_memory_allocated()


def reset_peak_memory_stats(device=None):
    if is_available():
        from . import cuda_memory

        cuda_memory.reset_peak_memory_stats()


def empty_cache():
    """Give memory that no tensor holds back to the GPU (Numba frees it lazily)."""
    if is_available() and not simulated():
        from numba import cuda

        cuda.current_context().deallocations.clear()


def manual_seed(seed):
    """Seed the random numbers of "cuda" tensors. minitorch draws them with its one
    generator (on the host), so this seeds that generator, as `minitorch.manual_seed`."""
    from .random import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed
