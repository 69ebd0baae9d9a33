"""Picture: what the network diagram draws, taken from the view at one moment, so it never mixes two networks.

NetworkView renders in slices between events while the model moves on (a new spec, another network, a step's
overlay cleared): each rendering draws from the Picture taken when it began, never from the view's fields. A
Picture's architecture (sizes, activations, titles) is the drawn network's when one is drawn, else the spec's;
activations to light the neurons and an overlay are in it only when they are of that very architecture.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activation_info


def architecture(spec: dict) -> tuple:
    """(sizes, activations, alphas) of a spec: sizes[0] is the input, sizes[l + 1] the units of layers[l]."""
    layers = spec["layers"]
    return (tuple([int(spec["input_size"])] + [int(l["units"]) for l in layers]),
            tuple(l["activation"] for l in layers), tuple(float(l.get("alpha", 0.01)) for l in layers))


def network_sizes(net) -> tuple:
    return tuple([int(net.input_size)] + [int(l.units) for l in net.layers])


@dataclass(frozen=True)
class Picture:
    sizes: tuple                   # units per column, 0 = input
    activations: tuple             # per weight layer
    alphas: tuple                  # leaky ReLU's slope per weight layer
    image_shape: tuple | None = None
    net: object = None             # the network whose weights colour the connections (of these sizes)
    acts: tuple | None = None      # per column, the values lighting the neurons (of these sizes)
    overlay: object = None         # e.g. a StepOverlay of a network of these sizes
    selected: tuple | None = None  # (layer, i, j) of the picked connection

    @classmethod
    def of(cls, spec_architecture: tuple, net=None, acts=None, overlay=None, image_shape=None, selected=None):
        """The picture of the spec's architecture, or of `net`'s when its sizes are the spec's; `acts` and
        `overlay` only if they belong to that architecture (else left out)."""
        sizes = spec_architecture[0]
        if net is not None and network_sizes(net) != sizes:
            net = None
        sizes, activations, alphas = architecture(net.spec) if net is not None else spec_architecture
        if acts is not None and (len(acts) != len(sizes) or any(
                a is not None and a.size != n for a, n in zip(acts, sizes))):
            acts = None
        mine = getattr(overlay, "network", None)
        if overlay is not None and (mine is None or network_sizes(mine) != sizes):
            overlay = None
        return cls(sizes, activations, alphas, image_shape, net, None if acts is None else tuple(acts), overlay,
                   selected)

    def weights(self, layer: int, units_in, units_out):
        """The drawn network's weights between the shown units of a layer; None without a network."""
        if self.net is None or layer >= len(self.net.layers):
            return None
        return np.asarray(self.net.layers[layer].W)[np.ix_(units_in, units_out)]

    def column_values(self, c: int, units):
        """Activation values of the shown units, scaled to [-1, 1] for colour (None without activations)."""
        if self.overlay is not None:
            return self.overlay.neuron_values(c, units)
        if self.acts is None or self.acts[c] is None:
            return None
        a = self.acts[c]
        peak = float(np.abs(a).max()) or 1.0
        return a[units] / max(peak, 1.0 if c == 0 else 1e-9)

    def dropped(self, c: int, units):
        """Which shown neurons of column c a step's dropout switched off (None: nothing to mark)."""
        return None if self.overlay is None else self.overlay.dropped(c, units)

    def title(self, c: int) -> str:
        if c == 0:
            return f"Input · {self.sizes[0]}"
        return f"Output · {self.sizes[c]}" if c == len(self.sizes) - 1 else f"Hidden {c} · {self.sizes[c]}"

    def short_title(self, c: int) -> str:
        """The title for a narrow column (many layers in a narrow diagram): H2 · 64."""
        if c == 0:
            return f"In · {self.sizes[0]}"
        return f"Out · {self.sizes[c]}" if c == len(self.sizes) - 1 else f"H{c} · {self.sizes[c]}"

    def subtitle(self, c: int) -> str:
        if c == 0:
            return "pixels" if self.image_shape and len(self.image_shape) == 2 else "inputs"
        act = self.activations[c - 1]
        return activation_info.label(act) + (f" α={self.alphas[c - 1]:g}" if act == "leaky_relu" else "")
