"""On-the-fly augmentation of a batch of digit images, vectorised over the batch and seeded.

Each image gets a random warp (affine, and elastic for a fraction) and a fraction a stroke-width change:

    thickness   x' = x + t (dilate(x) - x)  (t > 0)   or   x + (|t|/2) (erode(x) - x)  (t < 0)
                dilate/erode = max/min over the pixel and its 4 neighbours (shifted copies)
    warp        output pixel p reads the input at  q = A (p - c) + c + d + e(p)
                A = rotation(theta) @ shear(k) @ scale(s), d a shift, e an elastic field (zero for most)
    elastic     e = alpha * G_rows @ U(-1, 1) @ G_cols^T   (Gaussian-smoothed noise, Simard et al. 2003)
    sampling    bilinear: the 4 neighbours of every q of the whole batch, one gather each (zero outside)

Speed: building q and its bilinear weights costs more than the training step itself, so warps come from a
pool (`pool` of them, built in chunks and turned over continually) and each image gets a random pool warp
plus a random whole-pixel shift (free: folded into its gather offset). A call then costs 4 gathers and
~10 in-place array operations over the batch.
"""
from __future__ import annotations

import numpy as np

from ..errors import DataError


def gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """(n, n) row-normalised Gaussian blur: G @ f smooths f along its first axis."""
    i = np.arange(n, dtype=np.float64)
    g = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2)
    return (g / g.sum(axis=1, keepdims=True)).astype(np.float32)


class Augmenter:
    """augmenter(xb (B, H*W) float32, rng) -> a new (B, H*W) float32 batch of randomly distorted images."""

    PAD = 3               # zero border: clipped coordinates (+- the 1 px extra shift) read zeros
    CHUNK = 64            # pool warps rebuilt at a time
    ROWS = 32             # images warped per block

    def __init__(self, image_shape=(28, 28), seed=0, shift=2.0, rotation=12.0, scale=(0.9, 1.1), shear=8.0,
                 elastic=0.5, elastic_alpha=18.0, elastic_sigma=4.0, thickness=0.5, pool=1024, refresh=32):
        self.image_shape = tuple(int(s) for s in image_shape)
        self.shift, self.rotation, self.scale, self.shear = float(shift), float(rotation), tuple(scale), float(shear)
        self.elastic, self.elastic_alpha, self.thickness = float(elastic), float(elastic_alpha), float(thickness)
        self.pool, self.refresh = max(int(pool), self.CHUNK), int(refresh)
        self.rng = np.random.default_rng(seed)
        H, W = self.image_shape
        self._Hp, self._Wp = H + 2 * self.PAD, W + 2 * self.PAD
        self._gr, self._gc = gaussian_matrix(H, elastic_sigma), gaussian_matrix(W, elastic_sigma).T.copy()
        rows, cols = np.meshgrid(np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32), indexing="ij")
        cy, cx = (H - 1) / 2, (W - 1) / 2
        self._p = np.stack([rows.ravel() - cy, cols.ravel() - cx, np.ones(H * W, np.float32)])  # (3, H*W)
        self._centre = np.array([cy, cx], np.float32)
        self._idx = self._frac = None        # the pool: top-left neighbour index (K, HW); (fr, fc) (K, 2, HW)
        self._calls, self._next_chunk = 0, 0
        self._buf = self._bufs = None

    def __repr__(self) -> str:
        return (f"Augmenter(shift={self.shift:g}px, rotation={self.rotation:g}deg, scale={self.scale}, "
                f"shear={self.shear:g}deg, elastic={self.elastic:g}, thickness={self.thickness:g})")

    def __call__(self, xb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        rng = self.rng if rng is None else rng
        xb = self._check(xb)
        B = len(xb)
        self._maintain_pool(rng)
        padded = self._canvas(xb)
        if self.thickness > 0:
            self._stroke_width(padded, B, rng)
        t = rng.integers(len(self._idx), size=B)
        j = 1 if self.shift >= 1 else 0                             # whole-pixel shift on top of the warp
        jump = rng.integers(-j, j + 1, size=(B, 2))
        offset = np.arange(B, dtype=np.intp) * (self._Hp * self._Wp) - jump[:, 0] * self._Wp - jump[:, 1]
        out = np.empty((B, xb.shape[1]), np.float32)
        for lo in range(0, B, self.ROWS):                           # row blocks: the working set stays in cache
            hi = min(lo + self.ROWS, B)
            i, frac = self._work(hi - lo)[:2]
            np.take(self._idx, t[lo:hi], axis=0, out=i, mode="clip")
            np.take(self._frac, t[lo:hi], axis=0, out=frac, mode="clip")
            self._bilinear(padded, i, frac, offset[lo:hi], out[lo:hi])
        return out

    def warp(self, xb: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Sample each image xb[b] at the (row, col) coordinates q[b] (B, 2, H*W), bilinear, zero outside."""
        xb = self._check(xb)
        B = len(xb)
        padded = self._canvas(xb)
        i, frac = self._sampling(np.array(q, dtype=np.float32))
        out = np.empty((B, xb.shape[1]), np.float32)
        self._bilinear(padded, i, frac, np.arange(B, dtype=np.intp) * (self._Hp * self._Wp), out)
        return out

    def _check(self, xb) -> np.ndarray:
        H, W = self.image_shape
        xb = np.asarray(xb, dtype=np.float32)
        if xb.ndim != 2 or xb.shape[1] != H * W:
            raise DataError(f"The augmenter works on {H}x{W} images ({H * W} pixels per row) but got a batch "
                            f"of shape {xb.shape}.")
        return xb

    def _canvas(self, xb) -> np.ndarray:
        """The batch written into a reused zero-bordered buffer, flat (B*Hp*Wp + tail,)."""
        H, W = self.image_shape
        P, Hp, Wp, B = self.PAD, self._Hp, self._Wp, len(xb)
        need = B * Hp * Wp + Wp + 2                                 # tail: the last gathers' +1 / +Wp neighbours
        if self._buf is None or len(self._buf) < need:
            self._buf = np.zeros(need, np.float32)                  # the border stays zero: only the inside is written
        padded = self._buf[:need]
        padded[:B * Hp * Wp].reshape(B, Hp, Wp)[:, P:P + H, P:P + W] = xb.reshape(B, H, W)
        return padded

    def _sampling(self, q: np.ndarray):
        """Coordinates (n, 2, HW) -> (top-left neighbour index in a padded image, (fr, fc) fractions)."""
        H, W = self.image_shape
        P, Wp = self.PAD, self._Wp
        r, c = q[:, 0], q[:, 1]
        np.clip(r, -2, H + 1 - 1e-3, out=r)                         # 2 px outside: zeros whatever the extra shift
        np.clip(c, -2, W + 1 - 1e-3, out=c)
        r0, c0 = np.floor(r), np.floor(c)
        frac = np.stack([r - r0, c - c0], axis=1)
        return (r0.astype(np.intp) + P) * Wp + (c0.astype(np.intp) + P), frac

    def _bilinear(self, padded, i, frac, offset, out):
        """out = bilinear samples of `padded` at top-left index i (+ per-image offset) with fractions frac."""
        Wp = self._Wp
        i += offset[:, None]                                        # i is scratch: the caller's buffer or a fresh array
        _, _, v00, v01, v10 = self._work(len(i))
        fr, fc = frac[:, 0], frac[:, 1]
        padded.take(i, out=v00, mode="clip"); i += 1
        padded.take(i, out=v01, mode="clip"); i += Wp - 1
        padded.take(i, out=v10, mode="clip"); i += 1
        padded.take(i, out=out, mode="clip")
        v01 -= v00; v01 *= fc; v01 += v00                           # top    = v00 + fc (v01 - v00)
        out -= v10; out *= fc; out += v10                           # bottom = v10 + fc (v11 - v10)
        out -= v01; out *= fr; out += v01                           # out    = top + fr (bottom - top)

    # --- the warp pool -----------------------------------------------------------------------------------
    def _maintain_pool(self, rng):
        if self._idx is None:
            H, W = self.image_shape
            self._idx = np.empty((self.pool, H * W), np.intp)
            self._frac = np.empty((self.pool, 2, H * W), np.float32)
            for start in range(0, self.pool, self.CHUNK):
                self._build(start, rng)
        elif self.refresh and self._calls % self.refresh == 0:
            self._build(self._next_chunk, rng)                      # turn the pool over, one chunk at a time
            self._next_chunk = (self._next_chunk + self.CHUNK) % self.pool
        self._calls += 1

    def _build(self, start: int, rng):
        n = min(self.CHUNK, self.pool - start)
        j = 1 if self.shift >= 1 else 0
        q = self.warp_coordinates(n, rng, max_shift=self.shift - j)
        self._idx[start:start + n], self._frac[start:start + n] = self._sampling(q)

    def warp_coordinates(self, n: int, rng, max_shift: float | None = None) -> np.ndarray:
        """(n, 2, H*W) source (row, col) of every output pixel for n random warps (affine, elastic on some)."""
        shift = self.shift if max_shift is None else max_shift
        theta = np.deg2rad(rng.uniform(-self.rotation, self.rotation, n)).astype(np.float32)
        k = np.tan(np.deg2rad(rng.uniform(-self.shear, self.shear, n))).astype(np.float32)
        s = rng.uniform(*self.scale, n).astype(np.float32)
        d = rng.uniform(-shift, shift, (n, 2)).astype(np.float32)
        cos, sin = np.cos(theta), np.sin(theta)
        # A = R(theta) @ [[1, k], [0, 1]] @ s I on (row, col) offsets; last column: centre + shift
        M = np.empty((n, 2, 3), np.float32)
        M[:, 0, 0], M[:, 0, 1] = s * cos, s * (cos * k - sin)
        M[:, 1, 0], M[:, 1, 1] = s * sin, s * (sin * k + cos)
        M[:, :, 2] = self._centre + d
        q = M @ self._p
        if self.elastic > 0:
            pick = np.flatnonzero(rng.random(n) < self.elastic)
            if len(pick):
                q[pick] += self._elastic_field(len(pick), rng)
        return q

    def _elastic_field(self, n: int, rng) -> np.ndarray:
        H, W = self.image_shape
        noise = rng.uniform(-1, 1, (n, 2, H, W)).astype(np.float32)
        field = self._gr @ noise @ self._gc                         # smooth along rows, then along columns
        field *= np.float32(self.elastic_alpha)
        return field.reshape(n, 2, H * W)

    # --- per call ----------------------------------------------------------------------------------------
    def _work(self, B: int):
        if self._bufs is None:
            HW, n = self.image_shape[0] * self.image_shape[1], self.ROWS
            self._bufs = (np.empty((n, HW), np.intp), np.empty((n, 2, HW), np.float32),
                          *(np.empty((n, HW), np.float32) for _ in range(3)))
        return [b[:B] for b in self._bufs]

    def _stroke_width(self, padded: np.ndarray, B: int, rng):
        """Thicken the first few images' strokes and thin the next few, in place in the padded batch.

        Which images is immaterial (batches arrive shuffled): contiguous runs of images let the 4-neighbour
        max/min run as flat 1-D operations (neighbours are the flat array shifted by 1 and by a row).
        """
        H, W = self.image_shape
        P, Hp, Wp = self.PAD, self._Hp, self._Wp
        n_thick = rng.binomial(B, self.thickness / 2)
        n_thin = rng.binomial(B - n_thick, self.thickness / 2 / (1 - self.thickness / 2 + 1e-9))
        t = rng.uniform(0, 1, B).astype(np.float32)
        for lo, hi, grow in ((0, n_thick, True), (n_thick, n_thick + n_thin, False)):
            if hi <= lo:
                continue
            a, b = lo * Hp * Wp + Wp, hi * Hp * Wp - Wp              # skip one padded row at each end
            x = padded[a:b]
            out = x.copy()
            pick_op = np.maximum if grow else np.minimum
            pick_op(out[1:], x[:-1], out=out[1:])
            pick_op(out[:-1], x[1:], out=out[:-1])
            pick_op(out[Wp:], x[:-Wp], out=out[Wp:])
            pick_op(out[:-Wp], x[Wp:], out=out[:-Wp])
            # thinning is halved: a full erosion wipes out MNIST's 2-px strokes
            w = np.repeat(t[lo:hi] if grow else 0.5 * t[lo:hi], Hp * Wp)[Wp:-Wp]
            out -= x
            out *= w
            out += x
            # write back the images only: the zero border must stay zero for the warp
            inner = (slice(None), slice(P, P + H), slice(P, P + W))
            full = padded[lo * Hp * Wp:hi * Hp * Wp].reshape(hi - lo, Hp, Wp)
            full[inner] = np.concatenate([np.zeros(Wp, np.float32), out,
                                          np.zeros(Wp, np.float32)]).reshape(hi - lo, Hp, Wp)[inner]
