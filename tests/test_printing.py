"""The printed form of tensors (`minitorch/_tensor_str.py`) matches PyTorch's `repr`.

`CASES` holds the exact strings PyTorch 2.13 printed for the same arrays, with `torch.` replaced
by `minitorch.`, so the table runs without torch. `test_matches_torch` compares with a live torch
on seeded random arrays where torch is installed.
"""

import numpy as np
import pytest

from minitorch import dtypes
from minitorch._tensor_str import set_printoptions, tensor_repr


@pytest.fixture(autouse=True)
def default_options():
    """Every test starts and ends with PyTorch's default print options and default dtype."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    dtypes.set_default_dtype(dtypes.float32)


def _case(name, values, dtype, suffixes, options, expected):
    """One table row: data, dtype name, extra suffixes, `set_printoptions` calls in order."""
    return pytest.param(values, dtype, suffixes, options, expected, id=name)


def _repr(values, dtype_name, suffixes=()):
    dtype = dtypes.dtype_of_numpy(dtype_name)
    return tensor_repr(np.asarray(values, dtype=dtype.numpy), dtype, suffixes)


# One line of printed text per line of source: keep the formatter from joining them.
# fmt: off
CASES = [
    _case(
        "matrix_whole_numbers",
        [[1.0, 2.0], [3.0, 4.0]], "float32", (), [],
        "tensor([[1., 2.],\n"
        "        [3., 4.]])",
    ),
    _case(
        "scalar_fixed",
        3.5, "float32", (), [],
        "tensor(3.5000)",
    ),
    _case(
        "scalar_negative_zero",
        -0.0, "float32", (), [],
        "tensor(-0.)",
    ),
    _case(
        "scalar_nan_float64",
        np.nan, "float64", (), [],
        "tensor(nan, dtype=minitorch.float64)",
    ),
    _case(
        "scalar_int64",
        5, "int64", (), [],
        "tensor(5)",
    ),
    _case(
        "scalar_int32",
        -7, "int32", (), [],
        "tensor(-7, dtype=minitorch.int32)",
    ),
    _case(
        "scalar_bool",
        True, "bool", (), [],
        "tensor(True)",
    ),
    _case(
        "scalar_sci",
        1e10, "float32", (), [],
        "tensor(1.0000e+10)",
    ),
    _case(
        "fixed_four_decimals",
        [0.1, 0.25, -1.5], "float32", (), [],
        "tensor([ 0.1000,  0.2500, -1.5000])",
    ),
    _case(
        "fixed_rounds_binary_value",
        [0.00015, 0.00025], "float64", (), [],
        "tensor([0.0001, 0.0003], dtype=minitorch.float64)",
    ),
    _case(
        "pad_to_common_width",
        [1.5, -2.25, 100.0], "float32", (), [],
        "tensor([  1.5000,  -2.2500, 100.0000])",
    ),
    _case(
        "whole_numbers_padded",
        [0.0, 100.0, -3.0], "float32", (), [],
        "tensor([  0., 100.,  -3.])",
    ),
    _case(
        "sci_large_ratio",
        [1.0, 1e5], "float32", (), [],
        "tensor([1.0000e+00, 1.0000e+05])",
    ),
    _case(
        "whole_ratio_1000_not_sci",
        [1.0, 1000.0], "float32", (), [],
        "tensor([   1., 1000.])",
    ),
    _case(
        "fraction_ratio_over_1000_sci",
        [1.0, 1000.5], "float32", (), [],
        "tensor([1.0000e+00, 1.0005e+03])",
    ),
    _case(
        "sci_small_value",
        [1e-5, 1.0], "float32", (), [],
        "tensor([1.0000e-05, 1.0000e+00])",
    ),
    _case(
        "whole_1e8_not_sci",
        [1e8], "float32", (), [],
        "tensor([100000000.])",
    ),
    _case(
        "whole_above_1e8_sci",
        [1e9, -2.0], "float64", (), [],
        "tensor([ 1.0000e+09, -2.0000e+00], dtype=minitorch.float64)",
    ),
    _case(
        "float32_1e-4_is_below_1e-4",
        [1e-4], "float32", (), [],
        "tensor([1.0000e-04])",
    ),
    _case(
        "float64_1e-4_is_not",
        [1e-4], "float64", (), [],
        "tensor([0.0001], dtype=minitorch.float64)",
    ),
    _case(
        "three_digit_exponent",
        [1e200, 1e-200], "float64", (), [],
        "tensor([1.0000e+200, 1.0000e-200], dtype=minitorch.float64)",
    ),
    _case(
        "nan_inf_padded",
        [1.5, -np.inf, np.nan], "float32", (), [],
        "tensor([1.5000,   -inf,    nan])",
    ),
    _case(
        "nan_inf_wider_than_numbers",
        [1.0, -np.inf], "float32", (), [],
        "tensor([1., -inf])",
    ),
    _case(
        "only_nan_inf_zero",
        [np.nan, np.inf, -np.inf, 0.0], "float32", (), [],
        "tensor([nan, inf, -inf, 0.])",
    ),
    _case(
        "negative_zero_not_padded",
        [-0.0, 1.0], "float32", (), [],
        "tensor([-0., 1.])",
    ),
    _case(
        "negative_zero_sci",
        [1e-5, -0.0], "float64", (), [],
        "tensor([1.0000e-05, -0.0000e+00], dtype=minitorch.float64)",
    ),
    _case(
        "mixed_magnitudes_matrix",
        [[1e-3, 100.0], [-2.5, 0.0]], "float32", (), [],
        "tensor([[ 1.0000e-03,  1.0000e+02],\n"
        "        [-2.5000e+00,  0.0000e+00]])",
    ),
    _case(
        "int32",
        [1, 2, 3], "int32", (), [],
        "tensor([1, 2, 3], dtype=minitorch.int32)",
    ),
    _case(
        "int64_matrix_padded",
        [[-1, 20], [300, 4]], "int64", (), [],
        "tensor([[ -1,  20],\n"
        "        [300,   4]])",
    ),
    _case(
        "int64_extremes",
        [-2**63, 2**63 - 1], "int64", (), [],
        "tensor([-9223372036854775808,  9223372036854775807])",
    ),
    _case(
        "bool_padded",
        [True, False], "bool", (), [],
        "tensor([ True, False])",
    ),
    _case(
        "bool_matrix",
        [[True], [False]], "bool", (), [],
        "tensor([[ True],\n"
        "        [False]])",
    ),
    _case(
        "float64_shown",
        [[1.0, 2.5]], "float64", (), [],
        "tensor([[1.0000, 2.5000]], dtype=minitorch.float64)",
    ),
    _case(
        "three_d_blank_lines",
        np.arange(24.0).reshape(2, 3, 4), "float32", (), [],
        "tensor([[[ 0.,  1.,  2.,  3.],\n"
        "         [ 4.,  5.,  6.,  7.],\n"
        "         [ 8.,  9., 10., 11.]],\n"
        "\n"
        "        [[12., 13., 14., 15.],\n"
        "         [16., 17., 18., 19.],\n"
        "         [20., 21., 22., 23.]]])",
    ),
    _case(
        "four_d_two_blank_lines",
        np.arange(16).reshape(2, 2, 2, 2), "int64", (), [],
        "tensor([[[[ 0,  1],\n"
        "          [ 2,  3]],\n"
        "\n"
        "         [[ 4,  5],\n"
        "          [ 6,  7]]],\n"
        "\n"
        "\n"
        "        [[[ 8,  9],\n"
        "          [10, 11]],\n"
        "\n"
        "         [[12, 13],\n"
        "          [14, 15]]]])",
    ),
    _case(
        "five_d",
        np.ones((1, 1, 1, 1, 2)), "float32", (), [],
        "tensor([[[[[1., 1.]]]]])",
    ),
    _case(
        "non_contiguous",
        np.arange(6).reshape(2, 3).T, "int64", (), [],
        "tensor([[0, 3],\n"
        "        [1, 4],\n"
        "        [2, 5]])",
    ),
    _case(
        "wrap_float_row",
        np.arange(20.0) / 3, "float32", (), [],
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
        "        6.0000, 6.3333])",
    ),
    _case(
        "wrap_int_row",
        np.arange(40), "int64", (), [],
        "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
        "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n"
        "        36, 37, 38, 39])",
    ),
    _case(
        "wrap_bool_row",
        np.arange(24) % 3 == 0, "bool", (), [],
        "tensor([ True, False, False,  True, False, False,  True, False, False,  True,\n"
        "        False, False,  True, False, False,  True, False, False,  True, False,\n"
        "        False,  True, False, False])",
    ),
    _case(
        "wrap_matrix_rows",
        np.arange(30.0).reshape(2, 15) / 7, "float32", (), [],
        "tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
        "         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000],\n"
        "        [2.1429, 2.2857, 2.4286, 2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857,\n"
        "         3.4286, 3.5714, 3.7143, 3.8571, 4.0000, 4.1429]])",
    ),
    _case(
        "zeros_width_one",
        np.zeros(26), "float32", (), [],
        "tensor([0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., "
        "0., 0., 0., 0., 0., 0., 0., 0.,\n"
        "        0., 0.])",
    ),
    _case(
        "summarize_1d",
        np.arange(1001), "int64", (), [],
        "tensor([   0,    1,    2,  ...,  998,  999, 1000])",
    ),
    _case(
        "summarize_2d_sci_from_corners",
        np.arange(2000.0).reshape(40, 50), "float32", (), [],
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
        "         4.9000e+01],\n"
        "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
        "         9.9000e+01],\n"
        "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
        "         1.4900e+02],\n"
        "        ...,\n"
        "        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n"
        "         1.8990e+03],\n"
        "        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n"
        "         1.9490e+03],\n"
        "        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
        "         1.9990e+03]])",
    ),
    _case(
        "summarize_3d",
        np.arange(1008).reshape(7, 2, 72), "int32", (), [],
        "tensor([[[   0,    1,    2,  ...,   69,   70,   71],\n"
        "         [  72,   73,   74,  ...,  141,  142,  143]],\n"
        "\n"
        "        [[ 144,  145,  146,  ...,  213,  214,  215],\n"
        "         [ 216,  217,  218,  ...,  285,  286,  287]],\n"
        "\n"
        "        [[ 288,  289,  290,  ...,  357,  358,  359],\n"
        "         [ 360,  361,  362,  ...,  429,  430,  431]],\n"
        "\n"
        "        ...,\n"
        "\n"
        "        [[ 576,  577,  578,  ...,  645,  646,  647],\n"
        "         [ 648,  649,  650,  ...,  717,  718,  719]],\n"
        "\n"
        "        [[ 720,  721,  722,  ...,  789,  790,  791],\n"
        "         [ 792,  793,  794,  ...,  861,  862,  863]],\n"
        "\n"
        "        [[ 864,  865,  866,  ...,  933,  934,  935],\n"
        "         [ 936,  937,  938,  ..., 1005, 1006, 1007]]], dtype=minitorch.int32)",
    ),
    _case(
        "summarize_only_long_dims",
        np.arange(2002).reshape(2, 1001) % 7, "int64", (), [],
        "tensor([[0, 1, 2,  ..., 4, 5, 6],\n"
        "        [0, 1, 2,  ..., 4, 5, 6]])",
    ),
    _case(
        "summarize_hides_middle_float",
        np.where(np.arange(2000) == 1000, 1e-7, 0.0), "float32", (), [],
        "tensor([0., 0., 0.,  ..., 0., 0., 0.])",
    ),
    _case(
        "summarize_hides_middle_int",
        np.where(np.arange(2000) == 1000, 10**6, 0), "int64", (), [],
        "tensor([0, 0, 0,  ..., 0, 0, 0])",
    ),
    _case(
        "empty_1d",
        np.zeros(0), "float32", (), [],
        "tensor([])",
    ),
    _case(
        "empty_2d_size",
        np.zeros((0, 3)), "float32", (), [],
        "tensor([], size=(0, 3))",
    ),
    _case(
        "empty_3d_float64",
        np.zeros((2, 0, 3)), "float64", (), [],
        "tensor([], size=(2, 0, 3), dtype=minitorch.float64)",
    ),
    _case(
        "empty_int64_shows_dtype",
        np.zeros(0), "int64", (), [],
        "tensor([], dtype=minitorch.int64)",
    ),
    _case(
        "empty_bool",
        np.zeros((1, 0)), "bool", (), [],
        "tensor([], size=(1, 0), dtype=minitorch.bool)",
    ),
    _case(
        "requires_grad",
        [1.0, 2.0], "float32", ("requires_grad=True",), [],
        "tensor([1., 2.], requires_grad=True)",
    ),
    _case(
        "grad_fn_scalar",
        6.0, "float32", ("grad_fn=<MulBackward0>",), [],
        "tensor(6., grad_fn=<MulBackward0>)",
    ),
    _case(
        "suffix_wraps",
        np.ones(13), "float32", ("requires_grad=True",), [],
        "tensor([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.],\n"
        "       requires_grad=True)",
    ),
    _case(
        "suffix_fits_as_torch_counts",
        np.arange(7.0), "float64", ("requires_grad=True",), [],
        "tensor([0., 1., 2., 3., 4., 5., 6.], dtype=minitorch.float64, requires_grad=True)",
    ),
    _case(
        "suffix_wraps_after_dtype",
        np.arange(8.0), "float64", ("requires_grad=True",), [],
        "tensor([0., 1., 2., 3., 4., 5., 6., 7.], dtype=minitorch.float64,\n"
        "       requires_grad=True)",
    ),
    _case(
        "dtype_suffix_wraps",
        [1] * 8 + [1000], "int32", (), [],
        "tensor([   1,    1,    1,    1,    1,    1,    1,    1, 1000],\n"
        "       dtype=minitorch.int32)",
    ),
    _case(
        "matrix_grad_fn_wraps",
        np.full((2, 8), 2.0), "float64", ("grad_fn=<MulBackward0>",), [],
        "tensor([[2., 2., 2., 2., 2., 2., 2., 2.],\n"
        "        [2., 2., 2., 2., 2., 2., 2., 2.]], dtype=minitorch.float64,\n"
        "       grad_fn=<MulBackward0>)",
    ),
    _case(
        "custom_suffix_after_break_reaches_81",
        [1.0, 2.0], "float32", ("requires_grad=True", "x" * 60, "y" * 11), [],
        "tensor([1., 2.], requires_grad=True,\n"
        "       xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, yyyyyyyyyyy)",
    ),
    _case(
        "custom_suffix_after_break_wraps",
        [1.0, 2.0], "float32", ("requires_grad=True", "x" * 60, "y" * 12), [],
        "tensor([1., 2.], requires_grad=True,\n"
        "       xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,\n"
        "       yyyyyyyyyyyy)",
    ),
    _case(
        "precision_2",
        [1 / 3, 2 / 3], "float32", (), [{"precision": 2}],
        "tensor([0.33, 0.67])",
    ),
    _case(
        "precision_6_sci",
        [1e-7, 1.0], "float32", (), [{"precision": 6}],
        "tensor([1.000000e-07, 1.000000e+00])",
    ),
    _case(
        "linewidth_20",
        np.arange(6.0) / 7, "float32", (), [{"linewidth": 20}],
        "tensor([0.0000,\n"
        "        0.1429,\n"
        "        0.2857,\n"
        "        0.4286,\n"
        "        0.5714,\n"
        "        0.7143])",
    ),
    _case(
        "linewidth_below_indent",
        np.arange(8).reshape(2, 2, 2), "int64", (), [{"linewidth": 5}],
        "tensor([[[0,\n"
        "          1],\n"
        "         [2,\n"
        "          3]],\n"
        "\n"
        "        [[4,\n"
        "          5],\n"
        "         [6,\n"
        "          7]]])",
    ),
    _case(
        "linewidth_moves_suffix",
        [1.0, 2.0], "float64", (), [{"linewidth": 30}],
        "tensor([1., 2.],\n"
        "       dtype=minitorch.float64)",
    ),
    _case(
        "threshold_not_exceeded",
        np.arange(6), "int64", (), [{"threshold": 5}],
        "tensor([0, 1, 2, 3, 4, 5])",
    ),
    _case(
        "threshold_exceeded",
        np.arange(7), "int64", (), [{"threshold": 5}],
        "tensor([0, 1, 2,  ..., 4, 5, 6])",
    ),
    _case(
        "edgeitems_1",
        np.arange(27).reshape(3, 3, 3), "int64", (), [{"threshold": 5, "edgeitems": 1}],
        "tensor([[[ 0,  ...,  2],\n"
        "         ...,\n"
        "         [ 6,  ...,  8]],\n"
        "\n"
        "        ...,\n"
        "\n"
        "        [[18,  ..., 20],\n"
        "         ...,\n"
        "         [24,  ..., 26]]])",
    ),
    _case(
        "sci_mode_true",
        [1.0, 2.0, np.nan], "float32", (), [{"sci_mode": True}],
        "tensor([1.0000e+00, 2.0000e+00,        nan])",
    ),
    _case(
        "sci_mode_true_all_zero",
        [0.0, -0.0], "float32", (), [{"sci_mode": True}],
        "tensor([0., -0.])",
    ),
    _case(
        "sci_mode_false_whole",
        [1.0, 1e10], "float32", (), [{"sci_mode": False}],
        "tensor([          1., 10000000000.])",
    ),
    _case(
        "sci_mode_false_small",
        [1e-5, 1.0], "float32", (), [{"sci_mode": False}],
        "tensor([0.0000, 1.0000])",
    ),
    _case(
        "sci_mode_false_float32_1e20",
        [1e20, 1.5], "float32", (), [{"sci_mode": False}],
        "tensor([100000002004087734272.0000,                     1.5000])",
    ),
    _case(
        "sci_mode_reset_by_next_call",
        [1.0, 2.0], "float32", (), [{"sci_mode": True}, {"precision": 2}],
        "tensor([1., 2.])",
    ),
    _case(
        "profile_short",
        np.arange(2000.0) / 7, "float32", (), [{"profile": "short"}],
        "tensor([0.00e+00, 1.43e-01,  ..., 2.85e+02, 2.86e+02])",
    ),
    _case(
        "profile_short_precision_override",
        [1 / 3], "float32", (), [{"profile": "short", "precision": 6}],
        "tensor([0.333333])",
    ),
    _case(
        "profile_full_lifts_threshold",
        np.arange(7), "int64", (), [{"threshold": 5}, {"profile": "full"}],
        "tensor([0, 1, 2, 3, 4, 5, 6])",
    ),
    _case(
        "profile_default_restores",
        [1 / 3], "float32", (), [{"precision": 1, "linewidth": 9}, {"profile": "default"}],
        "tensor([0.3333])",
    ),
    _case(
        "profile_unknown_ignored",
        [1 / 3], "float32", (), [{"precision": 2}, {"profile": "bogus"}],
        "tensor([0.33])",
    ),
]
# fmt: on


@pytest.mark.parametrize(("values", "dtype", "suffixes", "options", "expected"), CASES)
def test_prints_like_torch(values, dtype, suffixes, options, expected):
    for option in options:
        set_printoptions(**option)
    assert _repr(values, dtype, suffixes) == expected


@pytest.mark.parametrize(
    ("dtype", "shape", "expected"),
    [
        ("float32", (2,), "tensor([0., 0.], dtype=minitorch.float32)"),
        ("float64", (2,), "tensor([0., 0.])"),
        ("float32", (0,), "tensor([], dtype=minitorch.float32)"),
        ("float64", (0,), "tensor([])"),
    ],
)
def test_default_dtype_decides_which_float_shows_its_dtype(dtype, shape, expected):
    """Strings printed by PyTorch after `torch.set_default_dtype(torch.float64)`."""
    dtypes.set_default_dtype(dtypes.float64)
    assert _repr(np.zeros(shape), dtype) == expected


def test_values_are_left_untouched():
    values = np.array([[1.5, -2.0], [np.nan, 3.0]], dtype=np.float32).T
    before = values.copy()
    _repr(values, "float32")
    np.testing.assert_array_equal(values, before)
    assert not values.flags.c_contiguous


def _random_array(rng):
    """A random array: 0-d to 4-d, empty or large enough to be summarized, any dtype, floats of
    one magnitude or mixed ones, whole numbers, and nan / inf / -0.0 sprinkled in."""
    ndim = int(rng.integers(0, 5))
    high = 60 if rng.random() < 0.1 else (12 if ndim < 3 else 6)
    shape = tuple(int(rng.integers(0, high)) for _ in range(ndim))
    size = int(np.prod(shape))
    dtype = str(rng.choice(["float32", "float64", "int32", "int64", "bool"]))
    if dtype == "bool":
        values = rng.random(size) < 0.5
    elif dtype.startswith("int"):
        low, high = 10 ** rng.integers(0, 10), 10 ** rng.integers(1, 10)
        values = rng.integers(-low, high, size)
    else:
        scale = 10.0 ** int(rng.integers(-8, 12))
        kind = int(rng.integers(0, 5))
        values = rng.standard_normal(size) * scale
        if kind == 1:
            values = np.round(values)
        elif kind == 2:
            values = rng.integers(-5, 5, size).astype(float)
        elif kind == 3:
            values *= 10.0 ** rng.integers(-8, 12, size)
        elif kind == 4:
            special = rng.random(size) < 0.2
            values[special] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], special.sum())
    values = values.astype(dtype).reshape(shape)
    if ndim >= 2 and rng.random() < 0.3:
        values = values.swapaxes(0, 1)
    return values


def _random_options(rng):
    """PyTorch's defaults, or now and then random values for every option."""
    if rng.random() < 0.7:
        return {"profile": "default"}
    return {
        "profile": "default",
        "precision": int(rng.integers(0, 8)),
        "linewidth": int(rng.integers(10, 150)),
        "threshold": int(rng.integers(1, 2000)),
        "edgeitems": int(rng.integers(1, 5)),
        "sci_mode": [None, True, False][int(rng.integers(0, 3))],
    }


@pytest.mark.parametrize("seed", range(20))
def test_matches_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    try:
        for _ in range(50):
            values, options = _random_array(rng), _random_options(rng)
            tensor = torch.from_numpy(values)
            suffixes = ()
            if values.dtype.kind == "f" and rng.random() < 0.3:
                tensor, suffixes = tensor.requires_grad_(), ("requires_grad=True",)
            torch.set_printoptions(**options)
            set_printoptions(**options)
            expected = repr(tensor).replace("torch.", "minitorch.")
            got = tensor_repr(values, dtypes.dtype_of_numpy(values.dtype), suffixes)
            assert got == expected, f"shape {values.shape} {values.dtype}, options {options}"
    finally:
        torch.set_printoptions(profile="default")
