"""`minitorch.accelerator`, `minitorch.backends.mps` / `.cudnn` and `__version__`, which the
tutorials ask before choosing a device."""

import minitorch


def test_accelerator_is_the_gpu_of_the_cuda_backend():
    assert minitorch.accelerator.is_available() == minitorch.cuda.is_available()
    current = minitorch.accelerator.current_accelerator()
    if minitorch.cuda.is_available():  # (the simulator, in tests without a GPU)
        assert current == minitorch.device("cuda") and current.type == "cuda"
        assert minitorch.accelerator.device_count() == 1
    else:
        assert current is None


def test_apple_gpus_and_cudnn_are_absent_but_their_questions_answer():
    assert minitorch.backends.mps.is_available() is False
    assert minitorch.backends.mps.is_built() is False
    minitorch.backends.cudnn.benchmark = True  # a tutorial's line: accepted, changes nothing
    assert minitorch.backends.cudnn.is_available() is False
    minitorch.backends.cudnn.benchmark = False


def test_the_version_is_one_packaging_can_compare():
    from packaging.version import Version

    assert Version(minitorch.__version__) >= Version("0.1")
