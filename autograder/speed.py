"""Lenient speed checks for the compiled tasks (04): is a kernel within a factor of a reference?

A hidden test of a compiled task records, besides its results, whether the student's kernel is
fast enough: `check(task, [case], student=lambda c: fast_enough(...), expected=lambda c: True,
group="speed")`. Speed is never an absolute time (grading machines differ and are busy): the
student's operation is timed against a reference operation of the same size (a NumPy call)
in the same process, right after it, and must take at most `at_most` times as long.

Both sides run on one thread (Numba's and the BLAS's), as in the grader's sandbox, so that the
verdict is the same on a student's 16-core laptop and in grading. The two are timed in turns
(student, reference, student, ...) and the verdict takes the median of the pairs' ratios: a
burst of load from other processes slows both sides of a pair alike. A measurement that fails
is taken again (up to `attempts` times): a correct, well-designed kernel passes one of them
even on a loaded machine, and a kernel that is slow by design fails them all.

Only 04's tasks (4.1-4.5) have a speed check. 06's GPU kernels are graded on Numba's CUDA
simulator wherever the grader has no GPU (one Python thread per GPU thread): a time there says
nothing about the kernel. 07's compiled kernels (im2col, col2im, pooling, in the regions of
7.2-7.4) are optional: without them the layers take the tensor-op path (the windows of 7.1 and
a matrix product), which is correct, and the tasks are graded on results (both paths); a speed
check would grade the option.
"""

import contextlib
import time

__all__ = ["fast_enough", "slowdown"]


@contextlib.contextmanager
def one_thread():
    """Inside the block, Numba's parallel loops and NumPy's BLAS run on one thread.
    (threadpoolctl, which sets the BLAS's threads, comes with scikit-learn.)"""
    import numba
    from threadpoolctl import threadpool_limits

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        numba.set_num_threads(threads)


def slowdown(student, reference, repeat=7, warmup=2):
    """The median over `repeat` interleaved pairs of (seconds of `student()`) / (seconds of
    `reference()`), after `warmup` untimed calls of each (compilation, first-touch page faults
    and thread pools' start-up excluded)."""
    for _ in range(warmup):
        student()
        reference()
    ratios = []
    for _ in range(repeat):
        start = time.perf_counter()
        student()
        middle = time.perf_counter()
        reference()
        end = time.perf_counter()
        ratios.append((middle - start) / max(end - middle, 1e-9))
    ratios.sort()
    return ratios[len(ratios) // 2]


def fast_enough(student, reference, at_most, repeat=7, attempts=3):
    """True when `student()` takes at most `at_most` times as long as `reference()` in one of
    `attempts` measurements (see `slowdown`), both on one thread. A measurement over
    4 * `at_most` is final: no burst of load explains that much, and a slow kernel's grading
    should not take three times as long."""
    with one_thread():
        for _ in range(attempts):
            ratio = slowdown(student, reference, repeat)
            if ratio <= at_most:
                return True
            if ratio > 4 * at_most:
                return False
    return False
