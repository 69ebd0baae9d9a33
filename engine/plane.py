"""The input plane of a two-input network: a grid of points, the network's output over it, each neuron's map.

The playground draws these as heat maps; every value is the engine's own forward pass on the grid points,
so the picture is exactly what `predict_proba` says there.
"""
from __future__ import annotations

import numpy as np

PAD = 0.15          # the plane shows the data's extent plus this share on every side


def extent(x: np.ndarray, pad: float = PAD) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around 2-D points, square and padded, so the data never touches the edge."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * (1 + 2 * pad) or 1.0
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))


def grid(box: tuple[float, float, float, float], cells: int = 150, dtype=np.float32) -> np.ndarray:
    """(cells * cells, 2) cell centres, row by row from the bottom (row r holds y_r, column c holds x_c)."""
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(cells) + 0.5) * (x1 - x0) / cells
    ys = y0 + (np.arange(cells) + 0.5) * (y1 - y0) / cells
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(dtype)


def output_map(net, points: np.ndarray, cells: int) -> np.ndarray:
    """(cells, cells, k) network output (predict_proba) at each grid cell, for classification heat maps."""
    return net.predict_proba(points).reshape(cells, cells, -1)


def neuron_maps(net, points: np.ndarray, cells: int) -> list[np.ndarray]:
    """For each hidden layer, (units, cells, cells): what each hidden neuron outputs over the plane."""
    _, acts = net.forward_trace(points)
    return [np.ascontiguousarray(a.T).reshape(a.shape[1], cells, cells) for a in acts[1:-1]]


def curve(net, x_range: tuple[float, float], n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """(x, f(x)) of a one-input network, for drawing a regression fit over its data."""
    xs = np.linspace(x_range[0], x_range[1], n, dtype=np.float32)[:, None]
    return xs[:, 0], net.forward(xs)[:, 0]


def perceptron_line(w: np.ndarray, b: float, box) -> np.ndarray | None:
    """The two ends of the line w1 x1 + w2 x2 + b = 0 inside the box (None if it misses the box or w = 0)."""
    (x0, x1, y0, y1), (w1, w2) = box, (float(w[0]), float(w[1]))
    ends = []
    if abs(w2) > 1e-12:
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 <= y <= y1:
                ends.append((x, y))
    if abs(w1) > 1e-12:
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 <= x <= x1:
                ends.append((x, y))
    ends = list(dict.fromkeys(ends))
    return np.array(ends[:2]) if len(ends) >= 2 else None
