"""A drawn digit -> the 28x28 image an MNIST-trained network expects (pure NumPy, no Qt).

MNIST's recipe (LeCun et al.): fit the digit in a 20x20 box keeping its aspect ratio with anti-aliasing,
then put it in a 28x28 field so that its centre of mass is at the centre. `preprocess_digit` does exactly
that on a grayscale array (ink bright on dark, values in [0, 1]):

    crop     = gray[rows with ink, cols with ink]
    scaled   = A_y @ crop @ A_x.T          A = exact area-overlap (box filter) matrices, longer side -> 20 px
    centred  = S_y @ scaled @ S_x.T        S = bilinear shift matrices putting the centre of mass at (14, 14)

Stroke width: a thick brush on a big drawing would become a stroke far thicker than MNIST's ~2 px once
scaled down. So the app keeps strokes as vector polylines and renders them at the final scale with a pen
that is `PEN_WIDTH` px wide inside the 20 px box: `stroke_layout` computes that scale from the strokes
alone; `render_strokes` is a NumPy reference rasteriser of the same layout (used by tests and the CLI).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError

BOX = 20                 # MNIST: the digit's longer side after size normalisation
FIELD = 28               # MNIST image side
CENTRE = 14.0            # where MNIST puts the centre of mass (row/column index, measured on the test set)
PEN_WIDTH = 2.5          # px inside the 20 px box: drawn digits then carry about as much ink as MNIST's
INK_THRESHOLD = 0.05     # pixels fainter than this do not count as ink for the bounding box


@dataclass(frozen=True)
class PreprocessSteps:
    """The intermediate images, for the "Show steps" view."""
    crop: np.ndarray      # the ink's bounding box, at the input resolution
    scaled: np.ndarray    # longer side 20 px, aspect kept, area-averaged
    centred: np.ndarray   # 28x28, centre of mass at (14, 14): what the network sees


def area_matrix(n_in: int, scale: float) -> np.ndarray:
    """(n_out, n_in) box-filter weights: overlap of input pixel j = [j*s, (j+1)*s) with output pixel [i, i+1).

    Each fully covered output pixel is the area-weighted mean of the input pixels it covers (rows sum to 1);
    the last pixel, partly covered, gets the covered fraction (an anti-aliased edge).
    """
    n_out = max(1, int(np.ceil(n_in * scale - 1e-6)))
    edges = np.arange(n_in + 1, dtype=np.float64) * scale
    lo = np.maximum(edges[None, :-1], np.arange(n_out)[:, None])
    hi = np.minimum(edges[None, 1:], np.arange(1, n_out + 1)[:, None])
    return np.clip(hi - lo, 0.0, None).astype(np.float32)


def shift_matrix(n_in: int, shift: float, n_out: int = FIELD) -> np.ndarray:
    """(n_out, n_in) linear-interpolation weights: output pixel i samples input position i - shift.

    The hat function max(0, 1 - |p - j|) is linear interpolation; it conserves mass and moves the centre of
    mass by exactly `shift` (when nothing falls off the edge).
    """
    p = np.arange(n_out, dtype=np.float64) - shift
    return np.maximum(0.0, 1.0 - np.abs(p[:, None] - np.arange(n_in)[None, :])).astype(np.float32)


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass in pixel-index coordinates; (nan, nan) for an empty image."""
    mass = float(img.sum())
    if mass <= 0:
        return float("nan"), float("nan")
    rows = img.sum(axis=1) @ np.arange(img.shape[0], dtype=np.float64)
    cols = img.sum(axis=0) @ np.arange(img.shape[1], dtype=np.float64)
    return float(rows / mass), float(cols / mass)


def _as_gray(gray) -> np.ndarray:
    g = np.asarray(gray, dtype=np.float32)
    if g.ndim != 2 or g.size == 0:
        raise DataError(f"A drawing must be a 2-D grayscale image; got an array of shape {g.shape}.")
    if not np.isfinite(g).all():
        raise DataError("The drawing contains invalid values (NaN or infinity).")
    return np.clip(g, 0.0, 1.0)


def preprocess_digit(gray, return_steps: bool = False, threshold: float = INK_THRESHOLD):
    """Grayscale drawing (H, W), ink bright on dark in [0, 1] -> (28, 28) float32 in [0, 1], MNIST-like.

    The centre of mass lands exactly on (14, 14) unless that would push ink off the 28x28 field (only for
    very lopsided shapes; the ink is then kept whole, as close to the centre as it fits).
    Returns None when no pixel is brighter than `threshold` (an empty canvas gets no prediction).
    With return_steps=True returns (image, PreprocessSteps) or (None, None).
    """
    g = _as_gray(gray)
    ink = g > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return (None, None) if return_steps else None
    crop = g[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]

    s = BOX / max(crop.shape)
    scaled = area_matrix(crop.shape[0], s) @ crop @ area_matrix(crop.shape[1], s).T

    (cy, cx), (h, w) = centre_of_mass(scaled), scaled.shape
    # a very lopsided shape would be pushed off the field: then keep all the ink rather than the exact centre
    dy, dx = np.clip(CENTRE - cy, 0, FIELD - h), np.clip(CENTRE - cx, 0, FIELD - w)
    centred = shift_matrix(h, dy) @ scaled @ shift_matrix(w, dx).T
    centred = np.clip(centred, 0.0, 1.0, out=centred)
    if return_steps:
        return centred, PreprocessSteps(crop=crop, scaled=np.clip(scaled, 0.0, 1.0), centred=centred)
    return centred


# ---- vector strokes: render at the final scale so the stroke width matches MNIST's ----

@dataclass(frozen=True)
class StrokeLayout:
    """Where to render strokes: render_xy = (canvas_xy - origin) * scale + pad, on a width x height image."""
    origin: tuple[float, float]   # canvas (x, y) of the ink's top-left (path bounding box, without the pen)
    scale: float                  # render px per canvas unit
    pad: float                    # render px between the image border and the path (half pen + margin)
    pen: float                    # pen width in render px
    width: int
    height: int

    def transform(self, points) -> np.ndarray:
        """(n, 2) canvas (x, y) -> (n, 2) render-image (x, y)."""
        return (np.asarray(points, dtype=np.float64) - self.origin) * self.scale + self.pad


def _stack(strokes) -> list[np.ndarray]:
    out = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    return [s for s in out if len(s) and np.isfinite(s).all()]


def stroke_layout(strokes, supersample: int = 4, pen_width: float = PEN_WIDTH) -> StrokeLayout | None:
    """Scale for rendering vector strokes so that, after preprocess_digit, the pen is `pen_width` px wide.

    The rendered ink (path plus pen) has its longer side at BOX * supersample px, so preprocess_digit's
    scale is ~1/supersample and the pen ends at pen_width px inside the 20 px box, whatever the drawing size.
    Returns None when there are no points.
    """
    paths = _stack(strokes)
    if not paths:
        return None
    pts = np.concatenate(paths)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    extent = float((hi - lo).max())
    pen = pen_width * supersample
    scale = (BOX * supersample - pen) / extent if extent > 0 else 1.0
    pad = pen / 2 + 2.0
    w, h = np.ceil((hi - lo) * scale + 2 * pad).astype(int)
    return StrokeLayout(origin=(float(lo[0]), float(lo[1])), scale=float(scale), pad=pad, pen=pen,
                        width=int(w), height=int(h))


def render_strokes(strokes, layout: StrokeLayout) -> np.ndarray:
    """NumPy reference rasteriser: round-capped polylines of width layout.pen, anti-aliased, ink = 1.

    Intensity = clip(pen/2 + 0.5 - distance to the nearest segment, 0, 1) at each pixel centre, computed
    segment by segment over the segment's bounding box (farther pixels get no ink from it) and maxed.
    """
    img = np.zeros((layout.height, layout.width), dtype=np.float32)
    reach = layout.pen / 2 + 0.5
    for path in _stack(strokes):
        p = layout.transform(path)
        p = np.vstack([p, p]) if len(p) == 1 else p          # a dot is a zero-length segment
        for a, b in zip(p[:-1], p[1:]):
            x0, y0 = np.floor(np.minimum(a, b) - reach).astype(int)
            x1, y1 = np.ceil(np.maximum(a, b) + reach).astype(int)
            x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, layout.width), min(y1, layout.height)
            if x1 <= x0 or y1 <= y0:
                continue
            qx = np.arange(x0, x1) + 0.5 - a[0]                   # pixel centres relative to a
            qy = np.arange(y0, y1)[:, None] + 0.5 - a[1]
            d = b - a
            t = np.clip((qx * d[0] + qy * d[1]) / max(d @ d, 1e-12), 0.0, 1.0)
            dist = np.sqrt((qx - t * d[0]) ** 2 + (qy - t * d[1]) ** 2)
            box = img[y0:y1, x0:x1]
            np.maximum(box, np.clip(reach - dist, 0.0, 1.0), out=box)
    return img
