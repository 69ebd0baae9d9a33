"""One training step's numbers as the course writes them: the sentences and filled-in formulas Step shows.

Pure functions of an engine StepRecord and the network before the step (no widgets): the forward pass of one
perceptron (z = Σ w·x + b, a = f(z)), the loss of the chosen sample with its formula filled in, the local errors
δ, dL/dW_{i→j} = δ_j z_i, and each weight's change. Batch arrays hold the batch mean's δ (it carries the 1/n of
the mean), so one sample's own δ is n times its row.
"""
from __future__ import annotations

import html

import numpy as np

from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS

PHASE_TITLES = ("1. Forward pass", "2. Error estimation", "3. Backward pass + optimizer step")
MAX_TERMS = 10          # a sum with more terms is written with its largest ones and "…"


def num(x: float) -> str:
    """A number as shown everywhere in the step (4 significant digits)."""
    return f"{float(x):.4g}"


def factor(x: float) -> str:
    """A number inside a product: negative ones in parentheses, so '+ (-0.2)·0.9' reads as one term."""
    return num(x) if float(x) >= 0 else f"({num(x)})"


def signed(x: float) -> str:
    return f"{float(x):+.4g}"


def sample_delta(rec, layer: int) -> np.ndarray:
    """δ_j = dL/dz_j of the chosen sample's own loss for net.layers[layer] (the batch row times n)."""
    return rec.deltas[layer][rec.sample] * rec.batch_size


def batch_note(rec) -> str:
    """Which samples the step used and whose numbers the diagram shows."""
    where = f"epoch {rec.epoch}, batch {rec.batch} of {rec.n_batches}"
    if rec.batch_size == 1:
        return f"One sample (row {int(rec.indices[0])}; {where}): the update uses its own gradient."
    return (f"A batch of {rec.batch_size} samples ({where}). The diagram shows sample {rec.sample + 1} "
            f"(row {int(rec.indices[rec.sample])}); the update uses the batch mean of the gradients.")


def _terms(parts: list[str], weights: np.ndarray) -> str:
    """'t1 + t2 + …' with at most MAX_TERMS terms, the largest |weights| first when some are left out."""
    if len(parts) <= MAX_TERMS:
        return " + ".join(parts)
    keep = np.sort(np.argsort(-np.abs(weights))[:MAX_TERMS - 1])
    return " + ".join(parts[k] for k in keep) + f" + … ({len(parts) - len(keep)} more)"


def neuron_forward(rec, net, column: int, unit: int) -> str:
    """Phase 1 on one neuron, a perceptron: its aggregator z = Σ w·x + b and its activation a = f(z), in numbers."""
    s = rec.sample
    if column == 0:
        return f"<b>Input {unit}</b>: x = {num(rec.activations[0][s, unit])} enters the network."
    layer = net.layers[column - 1]
    x, w, b = rec.activations[column - 1][s], layer.W[:, unit], float(layer.b[unit])
    products = w * x
    z, a = float(rec.zs[column - 1][s, unit]), float(rec.activations[column][s, unit])
    parts = [f"{factor(wi)}·{factor(xi)}" for wi, xi in zip(w, x)]
    act = ACTIVATIONS[layer.activation.name]
    return (f"<b>Neuron {unit} of layer {column}</b>, a perceptron: inputs x, weights w, bias b, aggregator, "
            f"activation.<br>z = Σ w·x + b = {_terms(parts, products)} + ({num(b)}) = <b>{num(z)}</b><br>"
            f"a = f(z) with {html.escape(act.formula)}, range {act.range_text}: a = <b>{num(a)}</b>")


def dropout_mask(rec, column: int):
    """The shown sample's dropout mask of hidden column `column` (0 off, 1/(1 − p) kept), or None without one."""
    masks = getattr(rec, "masks", None)
    if not masks or not 1 <= column <= len(masks) or masks[column - 1] is None:
        return None
    return np.asarray(masks[column - 1])[rec.sample]


def dropout_note(rec, net, column: int, unit: int) -> str:
    """What dropout did to this neuron in this step ('' where the layer has none)."""
    mask = dropout_mask(rec, column)
    if mask is None:
        return ""
    p = float(net.spec["layers"][column - 1].get("dropout", 0.0))
    if mask[unit] == 0:
        return (f"<br><b>Switched off by dropout</b> for this sample (rate {p:g}): the next layer gets 0 from it, "
                f"and no error flows back through it in this step.")
    return (f"<br>Kept by dropout for this sample (rate {p:g}): its output is multiplied by 1/(1 − p) = "
            f"{num(float(mask[unit]))}, so the layer's expected output stays the same.")


def loss_terms(rec, loss: str) -> str:
    """The chosen sample's loss with its formula filled in (p: the target, q: the network's output)."""
    p, q = rec.targets[rec.sample], rec.activations[-1][rec.sample]
    total = num(rec.sample_loss)
    if loss == "cross_entropy":
        hot = np.flatnonzero(p)
        parts = [f"{num(p[k])}·log {num(q[k])}" for k in hot]       # the terms with p = 0 add nothing
        return f"H(p, q) = −Σ p log q = −({' + '.join(parts)}) = <b>{total}</b>"
    if loss == "binary_cross_entropy":
        parts = [f"[{num(p[k])}·log {num(q[k])} + {num(1 - p[k])}·log {num(1 - q[k])}]" for k in range(len(p))]
        return f"−Σ [p log q + (1 − p) log(1 − q)] = −({_terms(parts, q - p)}) = <b>{total}</b>"
    if loss == "l1":
        parts = [f"|{num(q[k])} − {num(p[k])}|" for k in range(len(p))]
        return f"L1 = Σ |q − p| = {_terms(parts, q - p)} = <b>{total}</b>"
    parts = [f"({num(q[k])} − {num(p[k])})²" for k in range(len(p))]
    return f"MSE = Σ (q − p)² = {_terms(parts, q - p)} = <b>{total}</b>"


def error_text(rec, loss: str) -> str:
    """Phase 2: output beside target, the loss filled in, the batch loss, the output neurons' δ."""
    entry = LOSSES[loss]
    delta = sample_delta(rec, len(rec.deltas) - 1)
    how = "δ = q − p (the loss fused with its output activation)" if entry.fused_with else \
        "δ = dL/dq · f′(z) through the output activation"
    batch = "" if rec.batch_size == 1 else \
        f"<br>Loss of the batch (mean over its {rec.batch_size} samples): L = <b>{num(rec.loss_before)}</b>"
    return (f"<b>{entry.label}</b> of sample {rec.sample + 1}, p = target, q = output "
            f"({html.escape(entry.formula)}; summed over the outputs, averaged over the samples):<br>"
            f"{loss_terms(rec, loss)}{batch}<br>Output local errors {how}: "
            + ", ".join(f"δ<sub>{k}</sub> = {num(d)}" for k, d in enumerate(delta[:MAX_TERMS]))
            + (" …" if len(delta) > MAX_TERMS else ""))


def output_label(rec, unit: int) -> str:
    """What stands beside an output neuron in phase 2: its output q, the target p and its δ."""
    q = rec.activations[-1][rec.sample, unit]
    p = rec.targets[rec.sample, unit]
    return f"q {num(q)} · p {num(p)} · δ {num(sample_delta(rec, len(rec.deltas) - 1)[unit])}"


def neuron_delta(rec, column: int, unit: int) -> str:
    """Phase 3 on one neuron: its local error δ_j for the chosen sample."""
    if column == 0:
        return f"<b>Input {unit}</b>: inputs have no local error; they are not learned."
    d = float(sample_delta(rec, column - 1)[unit])
    where = "the output's δ from the loss" if column == len(rec.deltas) else \
        "δ_j = f′(z_j) · Σ_k w_{j→k} δ_k, the next layer's errors sent back through its weights"
    return f"<b>Neuron {unit} of layer {column}</b>: local error δ = dL/dz = <b>{num(d)}</b> ({where})."


def connection_gradient(rec, layer: int, i: int, j: int, net_after=None) -> str:
    """Phase 3 on one connection: this sample's δ_j z_i, the batch mean the update uses, the weight's change."""
    s, n = rec.sample, rec.batch_size
    z_i, d_j = float(rec.activations[layer][s, i]), float(sample_delta(rec, layer)[j])
    mean = float(rec.grads[layer][0][i, j])
    text = (f"<b>Weight w<sub>{i}→{j}</sub></b> (layer {layer + 1})<br>dL/dW<sub>{i}→{j}</sub> = δ<sub>j</sub> "
            f"z<sub>i</sub> = {factor(d_j)}·{factor(z_i)} = <b>{num(d_j * z_i)}</b> for sample {s + 1}")
    if n > 1:
        text += f"<br>Batch mean over {n} samples (what the update uses): <b>{num(mean)}</b>"
    if net_after is not None:
        from engine.step import flat_index
        p = flat_index(net_after, layer, i, j)
        w0, w1 = float(rec.params_before[p]), float(rec.params_after[p])
        text += f"<br>w: {num(w0)} → {num(w1)} (change {signed(w1 - w0)})"
    return text


def loss_change(rec) -> str:
    """After the update: the loss on the same batch before and after the step."""
    better = "lower" if rec.loss_after < rec.loss_before else "not lower"
    return (f"Loss on the same batch: before the step <b>{num(rec.loss_before)}</b>, after it "
            f"<b>{num(rec.loss_after)}</b> ({better}).")


def optimizer_line(rec) -> str:
    entry = OPTIMIZERS.get(rec.optimizer)
    label = entry.label if entry is not None else rec.optimizer
    rule = html.escape(entry.formula) if entry is not None else ""
    return f"Optimizer: {label}, {rule}, η = {rec.lr:g}. Click a connection to see its update in numbers."
