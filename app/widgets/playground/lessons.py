"""The playground's lessons: each one a data set, a network, settings and two sentences, and most a second step.

A lesson is data, not code: controls.py applies it through the model (the data set, then the spec and settings),
so the builder, the panel and the diagram show exactly what it built, and the student can change anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """What a lesson's button (or its follow-up) sets: the hidden layers, the output and loss, and settings."""
    hidden: tuple = ()
    output: str = "softmax"
    loss: str = "cross_entropy"
    settings: dict = field(default_factory=dict)


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

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
