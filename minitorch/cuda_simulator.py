"""A repair to Numba's CUDA simulator, which the `cuda` backend runs on where there is no GPU.

The simulator gives the threads of a block one array per `cuda.shared.array` line, made by the
first thread that gets there; without a lock, two threads arriving at once can each make one,
and a thread then writes into an array the others never read (seen as a wrong reduction).
`repair()` makes the first thread's array the block's.
"""

import sys
import threading

import numpy as np
from numba import types
from numba.cuda.simulator import kernelapi
from numba.np import numpy_support


def _shared_array(self, shape, dtype, _unlocked=kernelapi.FakeCUDAShared.array):
    if shape == 0:  # dynamic shared memory: one buffer, made with the block
        return _unlocked(self, shape, dtype)
    caller = sys._getframe(1)
    line = (caller.f_code.co_filename, caller.f_lineno)
    with _lock:
        found = self._allocations.get(line)
        if found is None:
            if isinstance(dtype, types.Type):
                dtype = numpy_support.as_dtype(dtype)
            found = self._allocations[line] = np.empty(shape, dtype)
    return found


_lock = threading.Lock()


def repair():
    kernelapi.FakeCUDAShared.array = _shared_array
