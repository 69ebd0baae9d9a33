"""quiet_float: run a function with NumPy's floating-point warnings off.

A diverging network overflows to inf and nan; the engine catches that where it matters (training's divergence
check ends the run with a sentence, the views check for finite values), so NumPy's RuntimeWarnings would only
reach a console no student reads, and a library's caller did not ask for them. np.errstate is per thread.
"""
from __future__ import annotations

import functools

import numpy as np


def quiet_float(fn):
    @functools.wraps(fn)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return fn(*args, **kwargs)
    return quiet
