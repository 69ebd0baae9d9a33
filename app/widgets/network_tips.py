"""Hover texts of the network diagram: a weight, an input pixel, or a neuron explained as a perceptron with its
activation's formula and range from the engine's registry."""
from __future__ import annotations

from . import activation_info


def tooltip(view, item) -> str:
    """The hover text of a neuron or connection of `view` (a NetworkView): what it is, in the course's words."""
    if view.overlay is not None and view.overlay.tooltip(item):
        return view.overlay.tooltip(item)
    if item[0] == "w":
        _, layer, i, j = item
        w = "" if view._weights(layer, [i], [j]) is None else f" = {float(view._weights(layer, [i], [j])[0, 0]):+.4f}"
        return (f"<b>Weight</b> w<sub>{i}→{j}</sub>{w} (layer {layer + 1}).<br>How strongly unit {i} pushes "
                f"neuron {j}: blue excites, orange inhibits, thicker is stronger. Backpropagation nudges it by "
                f"−learning rate × ∂L/∂w after each batch.")
    _, c, u = item
    value = ""
    if view.acts is not None and c < len(view.acts) and view.acts[c] is not None and u < view.acts[c].size:
        value = f"<br>Activation now: {float(view.acts[c][u]):.4f}"
    if c == 0:
        where = ""
        if view.image_shape:
            where = f" (row {u // view.image_shape[1]}, column {u % view.image_shape[1]})"
        return (f"<b>Input</b> {u}{where}: one pixel's brightness, 0 (black) to 1 (white). The input layer "
                f"only passes values on; it has no weights.{value}")
    act = view.activations[c - 1]
    bias = ""
    net = view.drawnNetwork()
    if net is not None:
        bias = f"<br>Bias b = {float(net.layers[c - 1].b[u]):+.4f}"
    kind = "Output" if c == len(view.sizes) - 1 else f"Hidden layer {c}"
    return (f"<b>{kind}, neuron {u}</b>, a perceptron: its aggregator sums the weighted inputs plus a bias: "
            f"z = Σ w·x + b; the activation {activation_info.label(act)} turns z into its output: "
            f"{activation_info.formula(act)}, range {activation_info.range_text(act)}.{bias}{value}")
