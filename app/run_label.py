"""run_label: the one line that tells two overlaid runs apart, e.g. '784-64-32-10 tanh · Adam lr 0.001 · batch 64'.

A network without a hidden layer is named for what it is: 'perceptron 784-10 · Adam lr 0.003 · batch 64'.
Labels come from the engine's registries (app.choices), never spelled here.
"""
from __future__ import annotations

from app import choices


def run_label(spec: dict, settings: dict) -> str:
    sizes = "-".join(str(n) for n in [spec["input_size"], *(layer["units"] for layer in spec["layers"])])
    hidden = spec["layers"][:-1]
    if hidden:
        acts = sorted({choices.activation_label(layer["activation"]) for layer in hidden})
        network = f"{sizes} {'/'.join(acts)}"
    else:
        network = f"perceptron {sizes}"
    opt = settings["optimizer"]
    batch = {"sgd": "batch 1", "bgd": "full batch"}.get(opt, f"batch {settings['batch_size']}")
    return f"{network} · {choices.optimizer_label(opt)} lr {settings['lr']:.3g} · {batch}"
