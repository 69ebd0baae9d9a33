"""Hover texts of the network diagram: a weight, an input pixel, or a neuron explained as a perceptron with its
activation's formula and range from the engine's registry."""
from __future__ import annotations

from . import activation_info


def tooltip(pic, item) -> str:
    """The hover text of a neuron or connection of a diagram's Picture (network_picture.py), in the course's words
    (everything from that one picture: its network, its activations, its overlay)."""
    if pic.overlay is not None and pic.overlay.tooltip(item):
        return pic.overlay.tooltip(item)
    if item[0] == "w":
        _, layer, i, j = item
        weight = pic.weights(layer, [i], [j])
        w = "" if weight is None else f" = {float(weight[0, 0]):+.4f}"
        return (f"<b>Weight</b> w<sub>{i}→{j}</sub>{w} (layer {layer + 1}).<br>How strongly unit {i} pushes "
                f"neuron {j}: blue excites, orange inhibits, thicker is stronger. Backpropagation nudges it by "
                f"−learning rate × ∂L/∂w after each batch.")
    _, c, u = item
    value = ""
    if pic.acts is not None and pic.acts[c] is not None:
        value = f"<br>Activation now: {float(pic.acts[c][u]):.4f}"
    if c == 0:
        if pic.image_shape and len(pic.image_shape) == 2:
            where = f" (row {u // pic.image_shape[1]}, column {u % pic.image_shape[1]})"
            return (f"<b>Input</b> {u}{where}: one pixel's brightness, 0 (black) to 1 (white). The input layer "
                    f"only passes values on; it has no weights.{value}")
        return (f"<b>Input</b> {u}: the sample's coordinate x<sub>{u + 1}</sub>. The input layer only passes "
                f"values on; it has no weights.{value}")
    act = pic.activations[c - 1]
    bias = "" if pic.net is None else f"<br>Bias b = {float(pic.net.layers[c - 1].b[u]):+.4f}"
    kind = "Output" if c == len(pic.sizes) - 1 else f"Hidden layer {c}"
    return (f"<b>{kind}, neuron {u}</b>, a perceptron: its aggregator sums the weighted inputs plus a bias: "
            f"z = Σ w·x + b; the activation {activation_info.label(act)} turns z into its output: "
            f"{activation_info.formula(act)}, range {activation_info.range_text(act)}.{bias}{value}")
