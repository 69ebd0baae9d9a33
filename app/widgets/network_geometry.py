"""Hit-testing the network diagram: which neuron or connection lies under a point, and where a click on one
connection selects exactly it. Pure NumPy on the diagram's layout (columns of unit numbers and their centres)."""
from __future__ import annotations

import numpy as np


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from point p to each segment a[k]-b[k]."""
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-9), 0, 1)
    return np.hypot(*(a + t[:, None] * ab - p).T)


def item_at(cols, r: float, pt: np.ndarray):
    """('n', column, unit) for a neuron within r + 2 px, ('w', layer, i, j) for a connection within 4 px, or None."""
    for c, (units, pos) in enumerate(cols):
        d = np.hypot(*(pos - pt).T)
        if d.size and d.min() <= r + 2:
            return ("n", c, int(units[int(d.argmin())]))
    best = None
    for layer in range(len(cols) - 1):
        (ui, pi), (uo, po) = cols[layer], cols[layer + 1]
        if not (pi[0, 0] <= pt[0] <= po[0, 0]):
            continue
        a = np.repeat(pi, len(uo), 0)
        b = np.tile(po, (len(ui), 1))
        d = _segment_distance(pt, a, b)
        k = int(d.argmin())
        if d[k] <= 4 and (best is None or d[k] < best[0]):
            best = (d[k], layer, int(ui[k // len(uo)]), int(uo[k % len(uo)]))
    return None if best is None else ("w",) + best[1:]


def connection_point(cols, r: float, layer: int, i: int, j: int) -> np.ndarray:
    """A point on connection i -> j of `layer` that item_at reads back as exactly it, away from other lines."""
    (ui, pi), (uo, po) = cols[layer], cols[layer + 1]
    a, b = pi[list(ui).index(i)], po[list(uo).index(j)]
    starts, ends = np.repeat(pi, len(uo), 0), np.tile(po, (len(ui), 1))
    ts = np.linspace(0.1, 0.9, 33)
    for clearance in (5.0, 2.0, 0.0):           # prefer a spot where no other line passes close
        for t in ts[np.argsort(np.abs(ts - 0.5))]:
            p = a + t * (b - a)
            near = np.count_nonzero(_segment_distance(p, starts, ends) <= clearance)
            if near <= 1 and item_at(cols, r, p) == ("w", layer, i, j):
                return p
    return 0.5 * (a + b)
