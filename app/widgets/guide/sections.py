"""The crash course's sections, in the course's order: a few sentences each, a formula, and what "Show me" does.

Text is data here; formulas of activations, losses and optimizers come from the engine's registries (their one
owner) and are turned into HTML by `formula_html` (e^(−z) -> e<sup>−z</sup>), so no LaTeX is needed at run time.
Each ShowMe names an action in show_me.py and says in a few words what it will show.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS


@dataclass(frozen=True)
class ShowMe:
    action: str                       # key of show_me.ACTIONS
    caption: str                      # what the button will show, beside it


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: str                         # HTML paragraphs, in our own words
    formula: str                      # HTML, one or more lines
    shows: tuple[ShowMe, ...]


_SUP = re.compile(r"\^\(([^()]*)\)|\^(\w+)")
_SUB = re.compile(r"_\{([^{}]*)\}|_(\w)")


def formula_html(text: str) -> str:
    """A registry formula in plain Unicode as HTML: ^(…) and ^x become superscripts, _{…} and _x subscripts."""
    out = html.escape(text)
    out = _SUP.sub(lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>", out)
    return _SUB.sub(lambda m: f"<sub>{m.group(1) or m.group(2)}</sub>", out)


def _rows(rows: list[tuple[str, str]]) -> str:
    """Name on one line, its formula below (the dock is narrow: no table columns to squeeze)."""
    return "".join(f"<p><b>{html.escape(name)}</b><br>&nbsp;&nbsp;{formula}</p>" for name, formula in rows)


def activation_table() -> str:
    """Every activation the engine knows: its formula and its output range, read from the registry."""
    return _rows([(f"{cls.label} — range {cls.range_text}", formula_html(cls.formula))
                  for cls in ACTIVATIONS.values()])


def loss_table() -> str:
    return _rows([(LOSSES[name].label, formula_html(LOSSES[name].formula)) for name in ("cross_entropy", "l1")])


def optimizer_table() -> str:
    return _rows([(OPTIMIZERS[name].label, formula_html(OPTIMIZERS[name].formula))
                  for name in ("sgd", "minibatch", "bgd")])


SECTIONS: list[Section] = [
    Section("network", "What a neural network is",
            "<p>A neural network is a function with many adjustable numbers, its <i>weights</i>. It turns an "
            "input (here the 784 grey levels of a digit) into an output (ten scores, one per digit).</p>"
            "<p>Nobody writes the weights by hand: they are adjusted, a little at a time, until the outputs "
            "agree with examples whose answers we know. That adjusting is called training.</p>",
            "output = f(input; weights)",
            (ShowMe("build_tab", "the network you are building, drawn as neurons and connections"),)),
    Section("perceptron", "The perceptron",
            "<p>The simplest network is one neuron. It takes inputs x<sub>i</sub>, multiplies each by its "
            "weight w<sub>i</sub>, adds them up together with a bias b (the <i>aggregator</i>), and passes the "
            "sum z through an <i>activation function</i> f.</p>"
            "<p>With two inputs, z = 0 is a straight line in the plane: a perceptron can only separate what a "
            "line separates. XOR needs more than one line.</p>",
            "z = Σ<sub>i</sub> w<sub>i</sub> x<sub>i</sub> + b<br>a = f(z)",
            (ShowMe("xor_perceptron", "a perceptron trying to learn XOR (playground lesson)"),)),
    Section("mlp", "The multi-layer perceptron (MLP)",
            "<p>Put many neurons side by side and you have a layer; feed one layer's outputs into the next and "
            "you have a multi-layer perceptron. The layers between input and output are <i>hidden</i>.</p>"
            "<p>Each hidden neuron draws its own line; the next layer combines them into bends and islands. "
            "One hidden layer is already enough for XOR.</p>",
            "a<sup>(l)</sup> = f(W<sup>(l)</sup> a<sup>(l−1)</sup> + b<sup>(l)</sup>), &nbsp; "
            "a<sup>(0)</sup> = x",
            (ShowMe("xor_hidden", "XOR again, now with a hidden layer of 8 tanh neurons"),
             ShowMe("build_tab", "the digits network: 784 inputs, hidden layers, 10 outputs"))),
    Section("training", "Training and its ingredients",
            "<p>Training needs four things: <b>data</b> (examples with their answers), a <b>loss</b> that "
            "measures how wrong the network is on them, an <b>optimizer</b> that changes the weights to lower "
            "the loss, and <b>backpropagation</b>, which tells the optimizer which way each weight should "
            "move.</p><p>The training panel holds all of them: the data set, the loss, the optimizer and its "
            "learning rate.</p>",
            "weights ← weights − η · ∂L/∂weights",
            (ShowMe("training_panel", "the training settings: data set, loss, optimizer, learning rate"),)),
    Section("backprop", "Backpropagation",
            "<p>To know how to change one weight, we need the slope of the loss with respect to it. "
            "Backpropagation gets every slope in one sweep backwards through the network.</p>"
            "<p>For the weight on the connection from neuron i to neuron j, the slope is the <i>local "
            "error</i> δ<sub>j</sub> of the receiving neuron times the value z<sub>i</sub> that came in on the "
            "connection. The errors of one layer are computed from those of the layer after it.</p>",
            "∂L/∂w<sub>i→j</sub> = δ<sub>j</sub> · z<sub>i</sub><br>"
            "δ<sub>j</sub> = f′(z<sub>j</sub>) · Σ<sub>k</sub> w<sub>j→k</sub> δ<sub>k</sub>",
            (ShowMe("backprop_connection", "one connection of your network, backpropagated in numbers"),
             ShowMe("step", "one optimizer step, phase by phase, on the diagram"))),
    Section("activations", "Activation functions and their ranges",
            "<p>Without an activation function, layers of sums collapse into one sum: the network could only "
            "draw straight lines. The activation bends each neuron's output.</p>"
            "<p>Each one has a range: sigmoid answers between 0 and 1, tanh between −1 and +1, ReLU never "
            "below 0. An output layer can only produce values inside its activation's range.</p>",
            activation_table(),
            (ShowMe("activations_page", "the activation functions and their slopes; yours are highlighted"),
             ShowMe("output_range", "a sigmoid output trying to fit a curve that goes below 0"),
             ShowMe("compare_activations", "sigmoid, tanh, ReLU and leaky ReLU set up to train from the same "
                    "start (Compare…)"))),
    Section("losses", "Loss functions",
            "<p>The loss is one number for how wrong the network is. <b>Cross-entropy</b> looks at the "
            "probability given to the right class and punishes a confident wrong answer hard. <b>L1</b> adds "
            "up the absolute differences between outputs and targets.</p>"
            "<p>The optimizer only ever sees the loss, so its choice decides what \u201cbetter\u201d means.</p>",
            loss_table(),
            (ShowMe("loss_choice", "where you choose the loss"),
             ShowMe("compare_losses", "cross-entropy and L1 set up to train from the same start (Compare…)"))),
    Section("optimizer", "The optimizer: gradient descent",
            "<p>Gradient descent moves every weight a small step (the learning rate η) against its slope. "
            "<b>Stochastic</b> gradient descent takes the slope from one example at a time: many cheap, noisy "
            "steps. <b>Batch</b> gradient descent averages over the whole training set: one careful step per "
            "epoch. Mini-batches sit in between.</p>",
            optimizer_table(),
            (ShowMe("optimizer_choice", "the optimizer, its learning rate and batch size"),
             ShowMe("compare_optimizers", "stochastic, mini-batch and batch gradient descent set up to train "
                    "from the same start (Compare…)"))),
    Section("digits", "Putting it together on digits",
            "<p>One training step has three phases. The <b>forward pass</b> runs a batch of digits through "
            "the network. <b>Error estimation</b> compares the outputs with the true digits through the loss. "
            "The <b>backward pass</b> computes every slope, and the <b>optimizer step</b> updates the "
            "weights.</p><p>One pass over all training digits is an <b>epoch</b>; the curves show the loss and "
            "accuracy after each one.</p>",
            "forward pass → error estimation → backward pass + optimizer step; repeat for every batch, "
            "for each epoch",
            (ShowMe("step", "one step on a batch of digits, in its three phases"),
             ShowMe("digits_start", "the digits network with its default settings, ready to train"),
             ShowMe("forward_page", "a digit's forward pass through your network"))),
]

BY_KEY = {section.key: section for section in SECTIONS}
