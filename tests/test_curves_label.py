"""Run labels and names: a run's whole line (a network without a hidden layer is named a perceptron), and the
names that tell the runs shown together apart: two runs share a name only if every part of them is the same."""
import itertools

from hypothesis import given
from hypothesis import strategies as st

from app import choices
from app.run_label import describe, run_label, run_names, run_titles

SETTINGS = dict(optimizer="adam", lr=0.003, batch_size=64)
SOFTMAX = choices.activation_label("softmax")


def spec(*hidden, output="softmax", loss="cross_entropy", sizes=(784, 10)):
    layers = [{"units": n, "activation": act} for n, act in hidden]
    return {"input_size": sizes[0], "layers": layers + [{"units": sizes[1], "activation": output}], "loss": loss}


def run(net, kind="train", label=None, **settings):
    s = {**SETTINGS, **settings}
    return {"spec": net, "settings": s, "kind": kind, "label": run_label(net, s) if label is None else label}


def test_a_network_without_hidden_layer_is_labelled_a_perceptron():
    assert run_label(spec(), SETTINGS) == \
        f"perceptron 784-10, {SOFTMAX} output · {choices.optimizer_label('adam')} lr 0.003 · batch 64"


def test_hidden_layers_give_sizes_and_their_activations_labels_in_order():
    net = spec((64, "tanh"), (32, "relu"))
    acts = f"{choices.activation_label('tanh')}/{choices.activation_label('relu')}"
    assert run_label(net, {**SETTINGS, "optimizer": "sgd", "lr": 3e-6}) == \
        f"784-64-32-10 {acts}, {SOFTMAX} output · {choices.optimizer_label('sgd')} lr 3e-06 · batch 1"
    assert run_label(net, {**SETTINGS, "optimizer": "bgd"}).endswith("· full batch")


def test_the_output_activation_and_a_loss_it_does_not_imply_are_in_the_label():
    """The output-range lesson's two runs: the same but for a sigmoid or a tanh output (both with MSE)."""
    sig, tanh = (spec((16, "tanh"), output=out, loss="mse", sizes=(1, 1)) for out in ("sigmoid", "tanh"))
    a, b = run_label(sig, SETTINGS), run_label(tanh, SETTINGS)
    assert a != b
    assert f"{choices.activation_label('sigmoid')} output, {choices.loss_label('mse')} loss" in a
    assert choices.loss_label("cross_entropy") not in run_label(spec((16, "tanh")), SETTINGS)   # softmax implies it
    assert run_names([run(sig), run(tanh)]) == [f"1-16-1, {choices.activation_label(o)} output"
                                                for o in ("sigmoid", "tanh")]


def test_compared_optimizers_are_named_by_their_full_labels():
    net = spec((8, "relu"))
    runs = [run(net, "compare", "Optimizer: x", optimizer=o, batch_size=16) for o in ("sgd", "bgd", "minibatch")]
    assert run_names(runs) == [choices.optimizer_label(o) for o in ("sgd", "bgd", "minibatch")]
    assert [t.split(" · ")[1:] for t in run_titles(runs)] == [["SGD lr 0.003", "batch 1"],
                                                              ["batch GD lr 0.003", "full batch"],
                                                              ["mini-batch GD lr 0.003", "batch 16"]]


def test_runs_that_start_differently_are_named_by_their_initialiser_and_dropout():
    """The initialisation lesson's three runs, and dropout against none (they once shared one name)."""
    starts = [{"init": "zeros"}, {"init": "normal", "init_scale": 30.0}, {}]
    runs = [run(_start(spec((8, "sigmoid"), (8, "sigmoid"), sizes=(2, 2)), init, 0.0)) for init in starts]
    assert run_names(runs) == ["Zeros init", "Normal σ=30 init", "default init"]
    runs = [run(_start(spec((64, "relu"), sizes=(2, 2)), {}, p), train_subset=n) for p, n in ((0.0, 0), (0.5, 500))]
    assert run_names(runs) == ["no dropout · all training samples", "dropout 0.5 · 500 training samples"]


def test_a_setting_outside_the_label_names_runs_that_differ_in_it():
    net = spec((8, "relu"))
    runs = [run(net, epochs=2), run(net, epochs=20), run(net, epochs=2, label=run_label(net, SETTINGS)
                                                         + " · one epoch at a time")]
    assert run_names(runs) == ["2 epochs", "20 epochs", "2 epochs · one epoch at a time"]
    assert run_titles(runs)[1] == run_label(net, SETTINGS) + " · 20 epochs"
    assert run_names(runs[:1]) == [run_label(net, runs[0]["settings"])]        # alone: its whole line


def _start(net, init, dropout):
    """Every layer from the same initialiser (as the builder sets them), each hidden layer with the dropout."""
    for layer in net["layers"]:
        layer.update(init)
    for layer in net["layers"][:-1]:
        if dropout:
            layer["dropout"] = dropout
    return net


NETS = st.builds(lambda hidden, out, loss, init, dropout: _start(spec(*hidden, output=out, loss=loss), init, dropout),
                 st.lists(st.tuples(st.sampled_from([8, 16]), st.sampled_from(list(choices.hidden_activations()))),
                          max_size=2),
                 st.sampled_from(["softmax", "sigmoid", "linear"]), st.sampled_from(["cross_entropy", "mse"]),
                 st.sampled_from([{}, {"init": "zeros"}, {"init": "normal", "init_scale": 30.0},
                                  {"init": "normal", "init_scale": 1.0}, {"init": "xavier_uniform"}]),
                 st.sampled_from([0.0, 0.5]))
RUNS = st.builds(lambda net, kind, note, opt, lr, batch, mom, epochs, aug: run(
    net, kind, None if note is None else note, optimizer=opt, lr=lr, batch_size=batch, momentum=mom,
    epochs=epochs, augment=aug),
    NETS, st.sampled_from(["train", "compare"]), st.sampled_from([None, "fine-tune on your 5 digits"]),
    st.sampled_from(list(choices.optimizers())), st.sampled_from([0.01, 0.1]), st.sampled_from([16, 64]),
    st.sampled_from([0.5, 0.9]), st.sampled_from([2, 20]), st.booleans())


def _what_trains(r):
    """What a run is for its training: its network, its settings that the optimizer reads, and its note."""
    s = dict(r["settings"])
    if s["optimizer"] in ("sgd", "bgd"):
        s.pop("batch_size")
    if s["optimizer"] not in ("momentum", "nesterov"):
        s.pop("momentum")
    return r["spec"], s, r["kind"] == "compare" or r["label"] == run_label(r["spec"], r["settings"]) or r["label"]


@given(st.lists(RUNS, min_size=1, max_size=5))
def test_two_runs_share_a_name_only_if_they_are_the_same_run(runs):
    names, titles = run_names(runs), run_titles(runs)
    for (a, name_a, title_a), (b, name_b, title_b) in itertools.combinations(zip(runs, names, titles), 2):
        same = _what_trains(a) == _what_trains(b)
        assert (name_a == name_b) == same, (name_a, name_b)
        assert (title_a == title_b) == same, (title_a, title_b)
    assert all(names) and len(describe(runs[0]["spec"], runs[0]["settings"])) > 8
