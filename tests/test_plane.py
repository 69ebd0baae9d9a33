"""The input plane: grid, output map equal to predict_proba, neuron maps, the perceptron's line."""
import numpy as np

from engine import Network
from engine.plane import curve, extent, grid, neuron_maps, output_map, perceptron_line


def _net():
    return Network.from_spec({"input_size": 2, "layers": [{"units": 3, "activation": "tanh"},
                                                          {"units": 2, "activation": "softmax"}],
                              "loss": "cross_entropy", "seed": 1})


def test_output_map_equals_predict_proba_at_every_cell():
    net = _net()
    pts = grid((-1.5, 1.5, -1, 2), cells=150)
    heat = output_map(net, pts, 150)
    assert heat.shape == (150, 150, 2)
    r, c = 37, 121                                       # row r is y_r, column c is x_c
    x = -1.5 + (c + 0.5) * 3 / 150
    y = -1 + (r + 0.5) * 3 / 150
    expect = net.predict_proba(np.array([[x, y]], np.float32))[0]
    assert np.allclose(heat[r, c], expect, atol=1e-6)
    assert np.allclose(heat.reshape(-1, 2), net.predict_proba(pts), atol=1e-6)


def test_neuron_maps_are_each_hidden_units_output():
    net = _net()
    pts = grid((-1, 1, -1, 1), cells=20)
    maps = neuron_maps(net, pts, 20)
    assert len(maps) == 1 and maps[0].shape == (3, 20, 20)
    z = pts @ net.layers[0].W + net.layers[0].b
    assert np.allclose(maps[0][2].ravel(), np.tanh(z[:, 2]), atol=1e-6)


def test_extent_is_square_and_padded():
    x0, x1, y0, y1 = extent(np.array([[0, 0], [2, 1]], np.float32))
    assert x1 - x0 == y1 - y0 > 2 and x0 < 0 and y0 < 0 and x1 > 2 and y1 > 1


def test_perceptron_line_lies_where_w_dot_x_plus_b_is_zero():
    w, b = np.array([1.0, -2.0]), 0.5
    ends = perceptron_line(w, b, (-2, 2, -2, 2))
    assert ends.shape == (2, 2) and np.allclose(ends @ w + b, 0, atol=1e-9)
    assert perceptron_line(np.array([0.0, 0.0]), 1.0, (-1, 1, -1, 1)) is None


def test_curve_is_the_forward_pass_of_a_one_input_net():
    net = Network.from_spec({"input_size": 1, "layers": [{"units": 4, "activation": "tanh"},
                                                         {"units": 1, "activation": "linear"}], "loss": "mse"})
    xs, ys = curve(net, (-3, 3), 50)
    assert np.allclose(ys, net.forward(xs[:, None])[:, 0])
