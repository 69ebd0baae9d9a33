"""The playground's lessons: each one a data set, a network, settings and two sentences, and most one or more
follow-up steps (train, then add a regulariser, then another ...).

A lesson is data, not code: controls.py applies it through the model (the data set, then the spec and settings),
so the builder, the panel and the diagram show exactly what it built, and the student can change anything.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """What a lesson's button (or a follow-up) sets: the hidden layers, the output and loss, and settings.

    layer: keys every hidden layer also gets (e.g. {"dropout": 0.5}); init: keys every layer gets (its
    initialiser, e.g. {"init": "zeros"}); compare: (setting, values) to open Compare… set up with, or ();
    points: a new set of this many points (same kind, noise and seed) first, or 0 to keep the points."""
    hidden: tuple = ()
    output: str = "softmax"
    loss: str = "cross_entropy"
    settings: dict = field(default_factory=dict)
    layer: dict = field(default_factory=dict)
    init: dict = field(default_factory=dict)
    compare: tuple = ()
    points: int = 0

    def shape(self, spec: dict) -> dict:
        """The preset's spec with this step's per-layer keys."""
        spec = copy.deepcopy(spec)
        for layer in spec["layers"][:-1]:
            layer.update(self.layer)
        for layer in spec["layers"]:
            layer.update(self.init)
        return spec


@dataclass(frozen=True)
class FollowUp:
    label: str                        # the button's text
    step: Step
    text: str                         # what to look for after it


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    text: str                         # two sentences: what to look at, and why
    dataset: str
    points: int
    noise: float
    first: Step
    then_label: str = ""              # the follow-up button's text ("" for none)
    then: Step | None = None
    then_text: str = ""
    more: tuple = ()                  # further FollowUps, in order, after `then`
    seed: int | None = None           # the points' seed (None: the one the slider shows)

    @property
    def follow_ups(self) -> tuple:
        first = (FollowUp(self.then_label, self.then, self.then_text),) if self.then is not None else ()
        return first + tuple(self.more)


LESSONS = [
    Lesson("perceptron_xor", "A perceptron cannot learn XOR",
           "A perceptron draws one straight line, and no line puts both diagonal XOR clusters on one side: "
           "its best is to answer about 50 % for every point (loss near ln 2 ≈ 0.69), so a hair decides each "
           "point and its test accuracy lands anywhere from about 20 % to 75 %, never above 80 %. Add one hidden "
           "layer of 8 tanh neurons and train again: each hidden neuron draws a line and the output combines "
           "them, so XOR is solved.",
           "xor", 200, 0.1, Step((), settings={"epochs": 300}),
           "Add a hidden layer (8 tanh)", Step(((8, "tanh"),), settings={"epochs": 300}),
           "One hidden layer of 8 tanh neurons: look at the neuron maps, every one of them is a line."),
    Lesson("linear_stack", "Linear layers stack to a line",
           "Two hidden layers of 8 linear neurons still compute one linear map of the inputs, so the boundary "
           "stays a straight line and the circles stay unsolved. Make the hidden activations tanh and the "
           "boundary bends around the inner circle.",
           "circles", 200, 0.1, Step(((8, "linear"), (8, "linear")), settings={"epochs": 300}),
           "Make them tanh", Step(((8, "tanh"), (8, "tanh")), settings={"epochs": 300}),
           "The same layers with tanh: a curved boundary."),
    Lesson("sigmoid_relu", "Sigmoid vs ReLU on the spiral",
           "Train 2-16-16-2 with sigmoid hidden layers for 100 epochs, then the same network with ReLU, and the "
           "curves overlay both runs. Sigmoid’s slope is at most 0.25 and the gradient shrinks by it at every "
           "layer, so in the same epochs ReLU untangles the spiral further.",
           "spiral", 400, 0.02, Step(((16, "sigmoid"), (16, "sigmoid")), settings={"epochs": 100}),
           "Now with ReLU", Step(((16, "relu"), (16, "relu")), settings={"epochs": 100}),
           "ReLU, same size and settings: compare the two runs' curves."),
    Lesson("output_range", "Restricted output range",
           "With a sigmoid output the network is a function whose output range is [0, 1], so its fit of sin x "
           "never goes below 0 (the dashed lines) and the test MSE stays high. Switch the output to tanh and the "
           "fit reaches down to −1.",
           "sin", 200, 0.05, Step(((16, "tanh"),), "sigmoid", "mse", {"epochs": 300, "lr": 0.01}),
           "Output tanh instead", Step(((16, "tanh"),), "tanh", "mse", {"epochs": 300, "lr": 0.01}),
           "A tanh output covers [−1, 1]: the whole sine fits."),
]

_BIG = ((64, "relu"), (64, "relu"))         # far more than 50 points need
_OVERFIT = {"epochs": 300, "lr": 0.01, "batch_size": 16, "val_fraction": 0.3, "patience": 0, "weight_decay": 0.0,
            "seed": 0, "optimizer": "adam", "augment": False}
_SIGMOID = ((8, "sigmoid"), (8, "sigmoid"))
_INIT = {"epochs": 200, "lr": 0.03, "batch_size": 16, "val_fraction": 0.0, "optimizer": "adam", "seed": 0}
TOO_LARGE = {"init": "normal", "init_scale": 30.0}

AFTER_THE_COURSE = [
    Lesson("overfitting", "Overfitting and regularisation",
           "Few noisy points and a network far bigger than they need (2-64-64-2: 4,482 weights for 50 points): "
           "press Start. The training loss keeps falling towards 0 while the validation loss (30 % of the "
           "training points, held out) reaches its minimum after a few dozen epochs and then climbs: the network "
           "learns the noise, and the boundary bends around single points. Early stopping would keep the weights "
           "of that minimum; it watches the validation set, never the test set, because the test set must stay "
           "unseen to grade the finished network honestly.",
           "moons", 100, 0.35, Step(_BIG, settings=_OVERFIT),
           "Add L2 weight decay (0.01)", Step(_BIG, settings={**_OVERFIT, "weight_decay": 0.01}),
           "Weight decay 0.01 pulls every weight towards 0 in each step: the gap between the training and the "
           "validation loss shrinks and the boundary smooths out. The curves show the penalty wd/2·Σw² apart.",
           more=(FollowUp("Dropout instead (0.5)", Step(_BIG, settings=_OVERFIT, layer={"dropout": 0.5}),
                          "No weight decay, but dropout 0.5 in both hidden layers: each step trains a random half "
                          "of the neurons, so none can rely on a few others to fit one point; the gap shrinks "
                          "too."),
                 FollowUp("Augmentation instead (jitter)", Step(_BIG, settings={**_OVERFIT, "augment": True}),
                          "No regulariser, but augmentation: each step moves every training point by random noise "
                          "(a quarter of the data's spread), so the network never sees a point twice in the same "
                          "place and cannot learn where single points lie: the gap shrinks. Digits mode does the "
                          "same with shifted, rotated and thickened digits."),
                 FollowUp("More data instead (2,000 points)", Step(_BIG, settings=_OVERFIT, points=2000),
                          "No regulariser, but 20 times the points, as noisy as before: 1,400 training points are "
                          "too many for these weights to learn one by one, so the network fits the two moons "
                          "and the gap between the losses shrinks. When more data can be had, it is the surest "
                          "cure.")),
           seed=2),
    Lesson("initialisation", "Initialisation",
           "The same sigmoid network (2-8-8-2) on the same points and seed, started from all-zero weights: press "
           "Start. Every hidden neuron computes the same thing, gets the same update and so stays the same "
           "forever (Look inside: identical neuron maps and incoming weights), and the network cannot separate "
           "the circles.",
           "circles", 200, 0.1, Step(_SIGMOID, settings=_INIT, init={"init": "zeros"}),
           "Too large: σ = 30", Step(_SIGMOID, settings=_INIT, init=TOO_LARGE),
           "Weights drawn with σ = 30: the sums z are huge, most sigmoid outputs start at 0 or 1 where the slope "
           "is almost 0 (Look inside › Gradient health), so the weights learn slowly and unevenly: after 200 "
           "epochs the loss is still far above the default start's.",
           more=(FollowUp("Xavier (the default)", Step(_SIGMOID, settings=_INIT),
                          "Xavier draws each layer's weights scaled to its size, so the signal keeps its spread "
                          "through the layers and every neuron starts different."),
                 FollowUp("All three side by side", Step(_SIGMOID, settings=_INIT, init=TOO_LARGE,
                                                          compare=("init", ["zeros", "normal", "xavier_uniform"])),
                          "Compare… is set up with the three starts (same data, same seed): press Run comparison; "
                          "the results table and the curves name each run by its initialiser.")),
           seed=0),
]

BY_KEY = {lesson.key: lesson for lesson in LESSONS + AFTER_THE_COURSE}
