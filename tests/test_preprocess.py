"""engine.preprocess: crop / area-average to 20 px / centre of mass at (14, 14), and vector-stroke layout."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from engine.errors import DataError
from engine.preprocess import (BOX, CENTRE, PEN_WIDTH, area_matrix, centre_of_mass, preprocess_digit,
                               render_strokes, shift_matrix, stroke_layout)

# A "7" and a "4" as polylines in arbitrary units (x right, y down).
SEVEN = [np.array([[0, 0], [10, 0], [4, 16]], float), np.array([[3, 8], [9, 8]], float)]
FOUR = [np.array([[7, 0], [0, 11], [10, 11]], float), np.array([[7, 4], [7, 17]], float)]


def random_scribble(rng, n_strokes=2):
    """A digit-like drawing: a few random polylines inside a unit square, in arbitrary units."""
    return [rng.uniform(0, 1, size=(rng.integers(2, 6), 2)) for _ in range(n_strokes)]


def blob_digit(rng, size=20):
    """A random blocky "digit": two overlapping bars with soft values."""
    img = np.zeros((size, size), np.float32)
    r, c = rng.integers(0, size // 3, size=2)
    img[r:size - r // 2, c:c + 3] = 1.0
    img[size // 2 - 1:size // 2 + 1, c:size - r] = rng.uniform(0.3, 1.0)
    return img


def test_empty_and_nearly_empty_canvas_give_no_prediction():
    assert preprocess_digit(np.zeros((280, 280))) is None
    faint = np.full((280, 280), 0.01)
    assert preprocess_digit(faint) is None
    assert preprocess_digit(np.zeros((50, 50)), return_steps=True) == (None, None)


@pytest.mark.parametrize("bad", [np.zeros(10), np.zeros((0, 5)), np.full((5, 5), np.nan), np.zeros((2, 3, 3))])
def test_bad_input_raises_data_error_with_sentence(bad):
    with pytest.raises(DataError, match="drawing"):
        preprocess_digit(bad)


def test_output_is_28x28_float32_in_unit_range_with_20px_longer_side():
    img = np.zeros((300, 300), np.float32)
    img[40:240, 100:150] = 1.0                    # 200 x 50: aspect 4:1
    out, steps = preprocess_digit(img, return_steps=True)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    assert steps.crop.shape == (200, 50)
    assert steps.scaled.shape == (20, 5)           # longer side 20, aspect kept
    np.testing.assert_allclose(steps.scaled, 1.0, atol=1e-6)
    assert steps.centred is out


@pytest.mark.parametrize("seed", range(8))
def test_centre_of_mass_lands_within_half_a_pixel_of_14_14(seed):
    rng = np.random.default_rng(seed)
    strokes = [p * rng.uniform(30, 300) + rng.uniform(0, 200, size=2) for p in random_scribble(rng)]
    canvas = render_strokes(strokes, stroke_layout(strokes, supersample=rng.integers(2, 8)))
    out = preprocess_digit(canvas)
    cy, cx = centre_of_mass(out)
    assert abs(cy - CENTRE) < 0.5 and abs(cx - CENTRE) < 0.5


def test_lopsided_shape_keeps_all_its_ink_inside_the_field():
    img = np.zeros((100, 100), np.float32)
    img[:, :10] = 1.0                      # a thick bar with a thin arm: centre of mass far to the left
    img[:2, :] = 1.0
    out, steps = preprocess_digit(img, return_steps=True)
    np.testing.assert_allclose(out.sum(), steps.scaled.sum(), rtol=1e-5)
    cy, cx = centre_of_mass(out)
    assert abs(cy - CENTRE) < 0.5 and cx < CENTRE


def test_small_digit_in_corner_equals_large_digit_in_centre():
    rng = np.random.default_rng(3)
    digit = blob_digit(rng, size=20)
    small = np.zeros((400, 400), np.float32)
    small[5:65, 330:390] = np.kron(digit, np.ones((3, 3), np.float32))            # 60 px, top right
    large = np.zeros((400, 400), np.float32)
    large[50:350, 50:350] = np.kron(digit, np.ones((15, 15), np.float32))         # 300 px, centre
    a, b = preprocess_digit(small), preprocess_digit(large)
    assert np.abs(a - b).max() < 1e-4


def test_area_matrix_averages_exactly_and_conserves_mass():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(37, 23)).astype(np.float32)
    s = 20 / 37
    A, B = area_matrix(37, s), area_matrix(23, s)
    y = A @ x @ B.T
    assert y.shape == (20, 13)
    np.testing.assert_allclose(y.sum(), x.sum() * s * s, rtol=1e-5)     # each input pixel covers s*s
    np.testing.assert_allclose(A.sum(axis=1), 1.0, atol=1e-6)          # 37 -> 20 exactly: every row full
    # output pixel 0 covers input [0, 1/s) = pixel 0 fully and 0.85 of pixel 1: its area-weighted mean
    w = np.array([1.0, 1 / s - 1.0])
    np.testing.assert_allclose(y[0, 0], (x[:2, :2] * np.outer(w, w)).sum() / (1 / s) ** 2, rtol=1e-5)


@pytest.mark.parametrize("shift", [0.0, 0.25, 3.5, 7.8])
def test_shift_matrix_moves_centre_of_mass_by_exactly_the_shift(shift):
    x = np.zeros((20, 20), np.float32)
    x[5:12, 3:9] = np.linspace(0.2, 1.0, 6)
    y = shift_matrix(20, shift) @ x @ shift_matrix(20, shift / 2).T
    (cy0, cx0), (cy1, cx1) = centre_of_mass(x), centre_of_mass(y)
    assert y.shape == (28, 28)
    np.testing.assert_allclose([cy1 - cy0, cx1 - cx0], [shift, shift / 2], atol=1e-4)
    np.testing.assert_allclose(y.sum(), x.sum(), rtol=1e-5)


# ---- vector strokes ----

def test_stroke_layout_makes_the_same_image_whatever_the_drawing_size_and_place():
    images = []
    for scale, offset in [(2.0, (3, 200)), (17.0, (40, 10)), (40.0, (0, 0))]:
        strokes = [p * scale + offset for p in SEVEN]
        lay = stroke_layout(strokes)
        images.append(preprocess_digit(render_strokes(strokes, lay)))
    for img in images[1:]:
        assert np.abs(img - images[0]).max() < 0.02


def test_stroke_width_after_preprocessing_is_mnist_like():
    for scale in (1.0, 30.0):
        strokes = [p * scale for p in FOUR]
        out = preprocess_digit(render_strokes(strokes, stroke_layout(strokes)))
        # path length in box px: (longer side - pen) spans the path's longer extent (17 units)
        box_per_unit = (BOX - PEN_WIDTH) / 17
        length = sum(np.linalg.norm(np.diff(p, axis=0), axis=1).sum() for p in FOUR) * box_per_unit
        width = out.sum() / length                    # ink mass per unit of path length = stroke width
        assert 2.0 < width < 3.0, width
        assert (out > 0.5).sum() / length < 3.0        # and not a fat blob at the 0.5 level either


def test_stroke_layout_handles_dots_empty_and_straight_lines():
    assert stroke_layout([]) is None
    assert stroke_layout([np.zeros((0, 2))]) is None
    dot = [np.array([[50.0, 50.0]])]
    out = preprocess_digit(render_strokes(dot, stroke_layout(dot)))
    assert out is not None and out.max() > 0.5
    one = [np.array([[100.0, 10.0], [100.0, 250.0]])]          # a vertical "1": zero width
    lay = stroke_layout(one)
    out, steps = preprocess_digit(render_strokes(one, lay), return_steps=True)
    assert steps.scaled.shape[0] == BOX and steps.scaled.shape[1] <= 4
    assert abs(centre_of_mass(out)[1] - CENTRE) < 0.5

@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: with the other core busy, 2-thread OpenBLAS spin-waits and runs 10x slower."""
    with threadpool_limits(1):
        yield


# ---- fidelity: enlarged MNIST digits come back as what the network was trained on ----

def zoom_matrix(n_in, zoom, n_out, offset):
    """(n_out, n_in) bilinear weights: output pixel i shows input position (i + 0.5 - offset) / zoom - 0.5."""
    p = (np.arange(n_out) + 0.5 - offset) / zoom - 0.5
    return np.maximum(0.0, 1.0 - np.abs(p[:, None] - np.arange(n_in)[None, :])).astype(np.float32)


@pytest.fixture
def sample_and_net(mnist_sample, digit_net):
    return mnist_sample, digit_net


def test_enlarged_mnist_digits_are_recognised_as_well_as_the_originals(sample_and_net):
    ds, net = sample_and_net
    rng = np.random.default_rng(0)
    idx = rng.choice(len(ds.x_test), 500, replace=False)
    x, y = ds.x_test[idx], ds.y_test[idx]
    side = 400                                                     # a canvas-sized image
    drawn = np.empty_like(x)
    for k, img in enumerate(x.reshape(-1, 28, 28)):
        zy = zx = rng.uniform(8, 12)                               # enlarged 8-12x
        oy, ox = rng.uniform(0, side - 28 * zy), rng.uniform(0, side - 28 * zx)
        canvas = zoom_matrix(28, zy, side, oy) @ img @ zoom_matrix(28, zx, side, ox).T
        drawn[k] = preprocess_digit(canvas).ravel()
    acc_original = (net.predict(x) == y).mean()
    acc_drawn = (net.predict(drawn) == y).mean()
    assert acc_original > 0.85
    assert acc_drawn >= acc_original - 0.02, (acc_original, acc_drawn)


def test_render_strokes_is_the_distance_formula_at_every_pixel():
    """Intensity = clip(pen/2 + 0.5 - distance to the nearest segment, 0, 1), checked pixel by pixel."""
    rng = np.random.default_rng(3)
    strokes = [rng.uniform(0, 50, (7, 2)), np.array([[25.0, 25.0]]), rng.uniform(0, 50, (2, 2))]
    lay = stroke_layout(strokes)
    img = render_strokes(strokes, lay)
    segs = []
    for s in strokes:
        p = lay.transform(s)
        p = np.vstack([p, p]) if len(p) == 1 else p
        segs += list(zip(p[:-1], p[1:]))
    yy, xx = np.mgrid[0:lay.height, 0:lay.width]
    q = np.stack([xx.ravel() + 0.5, yy.ravel() + 0.5], axis=1)
    dist = np.full(len(q), np.inf)
    for a, b in segs:
        d = b - a
        t = np.clip(((q - a) @ d) / max(d @ d, 1e-12), 0, 1)
        dist = np.minimum(dist, np.linalg.norm(q - (a + t[:, None] * d), axis=1))
    expected = np.clip(lay.pen / 2 + 0.5 - dist, 0, 1).reshape(img.shape)
    np.testing.assert_allclose(img, expected, atol=1e-6)
