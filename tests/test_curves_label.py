"""Run labels: what tells overlaid runs apart; a network without a hidden layer is named a perceptron."""
from app import choices
from app.run_label import run_label

SETTINGS = dict(optimizer="adam", lr=0.003, batch_size=64)


def test_a_network_without_hidden_layer_is_labelled_a_perceptron():
    spec = {"input_size": 784, "layers": [{"units": 10, "activation": "softmax"}], "loss": "cross_entropy"}
    assert run_label(spec, SETTINGS) == f"perceptron 784-10 · {choices.optimizer_label('adam')} lr 0.003 · batch 64"


def test_hidden_layers_give_sizes_and_their_activations_labels():
    spec = {"input_size": 784, "layers": [{"units": 64, "activation": "tanh"}, {"units": 32, "activation": "relu"},
                                          {"units": 10, "activation": "softmax"}]}
    acts = "/".join(sorted({choices.activation_label("tanh"), choices.activation_label("relu")}))
    assert run_label(spec, {**SETTINGS, "optimizer": "sgd", "lr": 3e-6}) == \
        f"784-64-32-10 {acts} · {choices.optimizer_label('sgd')} lr 3e-06 · batch 1"
    assert run_label(spec, {**SETTINGS, "optimizer": "bgd"}).endswith("· full batch")
