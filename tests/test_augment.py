"""Augmenter: exact bilinear sampling, identity when every distortion is off, seeded, each distortion does
what it says, and whole batches come back finite, in range and unchanged in shape."""
import numpy as np
import pytest

from engine.data import load_dataset
from engine.data.augment import Augmenter, gaussian_matrix
from engine.errors import DataError

OFF = dict(shift=0.0, rotation=0.0, scale=(1.0, 1.0), shear=0.0, elastic=0.0, thickness=0.0)


@pytest.fixture(scope="module")
def digits():
    ds = load_dataset("sample")
    return ds.x_train[::50][:64].copy()       # 64 digits, every class


def reference_bilinear(img, r, c):
    """Scalar bilinear sample of img at (r, c), zero outside: the textbook formula."""
    H, W = img.shape
    r0, c0 = int(np.floor(r)), int(np.floor(c))
    fr, fc = r - r0, c - c0
    def at(i, j):
        return img[i, j] if 0 <= i < H and 0 <= j < W else 0.0
    return ((1 - fr) * (1 - fc) * at(r0, c0) + (1 - fr) * fc * at(r0, c0 + 1)
            + fr * (1 - fc) * at(r0 + 1, c0) + fr * fc * at(r0 + 1, c0 + 1))


def test_warp_matches_textbook_bilinear_including_points_outside():
    rng = np.random.default_rng(0)
    aug = Augmenter(image_shape=(6, 5))
    x = rng.random((3, 30)).astype(np.float32)
    q = np.stack([rng.uniform(-4, 10, (3, 30)), rng.uniform(-4, 9, (3, 30))], axis=1).astype(np.float32)
    q[0, :, :4] = [[-1.0, 0.0, 5.0, 5.5], [-0.5, 4.0, 4.0, 2.0]]        # edges, exact integers, half outside
    got = aug.warp(x, q)
    for b in range(3):
        img = x[b].reshape(6, 5)
        want = [reference_bilinear(img, float(q[b, 0, k]), float(q[b, 1, k])) for k in range(30)]
        np.testing.assert_allclose(got[b], want, atol=2e-6)


def test_everything_off_is_the_identity(digits):
    out = Augmenter(**OFF)(digits, np.random.default_rng(1))
    np.testing.assert_array_equal(out, digits)


def test_same_rng_same_batch_and_input_untouched(digits):
    before = digits.copy()
    a = Augmenter(seed=3)(digits, np.random.default_rng(5))
    b = Augmenter(seed=3)(digits, np.random.default_rng(5))
    c = Augmenter(seed=3)(digits, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(digits, before)


def test_default_batches_stay_valid_images(digits):
    aug = Augmenter()
    rng = np.random.default_rng(2)
    for _ in range(40):                                     # past a pool refresh
        out = aug(digits, rng)
        assert out.shape == digits.shape and out.dtype == np.float32
        assert np.isfinite(out).all() and out.min() >= -1e-6 and out.max() <= 1 + 1e-6
    # changed, but still the same digits: ink moves by a couple of pixels, it does not vanish
    assert np.abs(out - digits).mean() > 0.02
    ink = out.sum(axis=1) / digits.sum(axis=1)
    assert 0.5 < ink.min() and ink.max() < 2.0
    for n in (1, 7, 33):                                    # any batch size, including the ragged last batch
        assert aug(digits[:n], rng).shape == (n, 784)


def centre_of_mass(x):
    img = x.reshape(-1, 28, 28)
    r = np.arange(28)
    m = img.sum(axis=(1, 2))
    return np.stack([(img.sum(2) * r).sum(1) / m, (img.sum(1) * r).sum(1) / m], 1)


def test_shift_moves_the_centre_of_mass_by_at_most_the_limit(digits):
    out = Augmenter(**{**OFF, "shift": 2.0})(digits, np.random.default_rng(3))
    move = centre_of_mass(out) - centre_of_mass(digits)
    assert np.abs(move).max() <= 2.05 and np.abs(move).max() > 1.0


def test_rotation_turns_a_bar_by_at_most_the_limit():
    bar = np.zeros((28, 28), np.float32)
    bar[13:15, 4:24] = 1.0                                  # horizontal
    x = np.repeat(bar.reshape(1, -1), 64, axis=0)
    out = Augmenter(**{**OFF, "rotation": 12.0})(x, np.random.default_rng(4)).reshape(-1, 28, 28)
    r, c = np.mgrid[0:28, 0:28]
    angles = []
    for img in out:                                         # principal axis from second moments
        m = img.sum()
        mr, mc = (img * r).sum() / m, (img * c).sum() / m
        crr, ccc, crc = ((img * (r - mr) ** 2).sum(), (img * (c - mc) ** 2).sum(), (img * (r - mr) * (c - mc)).sum())
        angles.append(np.degrees(0.5 * np.arctan2(2 * crc, ccc - crr)))
    angles = np.abs(angles)
    assert angles.max() <= 12.5 and angles.max() > 8 and np.median(angles) > 2


def test_scale_changes_the_spread_within_ten_percent(digits):
    out = Augmenter(**{**OFF, "scale": (0.9, 1.1)})(digits, np.random.default_rng(5))
    def spread(x):
        img = x.reshape(-1, 28, 28)
        r = np.arange(28)
        m = img.sum((1, 2))
        rows = img.sum(2)
        mu = (rows * r).sum(1) / m
        return np.sqrt((rows * (r[None] - mu[:, None]) ** 2).sum(1) / m)
    ratio = spread(out) / spread(digits)
    assert 0.85 < ratio.min() and ratio.max() < 1.15 and ratio.std() > 0.02


def test_stroke_thickening_and_thinning(digits):
    out = Augmenter(**{**OFF, "thickness": 1.0})(digits, np.random.default_rng(6))
    gain = out.sum(axis=1) - digits.sum(axis=1)
    assert (gain > 1).sum() > 10 and (gain < -1).sum() > 10           # both happen
    thick = gain > 1
    assert (out[thick] >= digits[thick] - 1e-6).all()                 # dilation only adds ink
    assert (out[gain < -1] <= digits[gain < -1] + 1e-6).all()         # erosion only removes it


def test_elastic_field_is_smooth_and_bounded():
    aug = Augmenter(**{**OFF, "elastic": 1.0})
    q = aug.warp_coordinates(32, np.random.default_rng(7))
    base = Augmenter(**OFF).warp_coordinates(32, np.random.default_rng(7))
    e = (q - base).reshape(32, 2, 28, 28)
    assert 0.3 < np.abs(e).max() < 6                                  # a couple of pixels, not a scramble
    step = np.abs(np.diff(e, axis=3)).max()
    assert step < 1.0                                                 # neighbouring pixels move together (raw noise: ~30)
    G = gaussian_matrix(28, 4.0)
    np.testing.assert_allclose(G.sum(axis=1), 1, rtol=1e-5)


def test_wrong_shape_is_a_clear_error():
    with pytest.raises(DataError, match="28x28"):
        Augmenter()(np.zeros((4, 100), np.float32), np.random.default_rng(0))
