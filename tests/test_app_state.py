"""AppState: loss and output activation kept consistent with a note; architecture changes drop stale weights."""
import pytest

from app.state import DEFAULT_SETTINGS, DEFAULT_SPEC, AppState
from engine.network import Network
from engine.presets import DIGIT_DATASET
from engine.spec import validate_spec
from engine.training import TrainConfig


def test_defaults_are_a_valid_spec_and_config(qtbot):
    st = AppState()
    assert validate_spec(st.spec)["layers"] == DEFAULT_SPEC["layers"]
    cfg = st.config()
    assert isinstance(cfg, TrainConfig) and cfg.validate() is cfg and cfg.augment
    assert st.config(epochs=1).epochs == 1 and st.settings == DEFAULT_SETTINGS


def test_cross_entropy_forces_softmax_and_says_why(qtbot):
    st = AppState()
    notes = []
    st.noteChanged.connect(notes.append)
    assert st.set_output_activation("sigmoid").startswith("Loss set to MSE")
    assert st.spec["loss"] == "mse" and st.output["activation"] == "sigmoid"
    assert st.set_loss("l1") == "" and st.output["activation"] == "sigmoid"      # L1 takes any output
    note = st.set_loss("cross_entropy")
    assert st.output["activation"] == "softmax" and "softmax" in note and notes[-1] == note
    validate_spec(st.spec)


def test_architecture_change_drops_the_network_but_a_seed_change_does_not(qtbot):
    st = AppState()
    net = Network.from_spec(st.spec)
    st.set_network(net)
    assert st.trained
    st.set_setting("seed", 7)
    assert st.network is net and st.spec["seed"] == 7
    with qtbot.waitSignal(st.networkChanged) as sig:
        st.set_hidden([{"units": 64, "activation": "tanh"}, {"units": 32, "activation": "tanh"}])
    assert sig.args == [None] and st.network is None and not st.trained
    assert [l["units"] for l in st.spec["layers"]] == [64, 32, 10]


def test_set_config_takes_a_train_config(qtbot):
    st = AppState()
    got = []
    st.configChanged.connect(got.append)
    st.set_config(TrainConfig(optimizer="nesterov", lr=0.01, epochs=3))
    assert st.settings["optimizer"] == "nesterov" and st.config().epochs == 3 and got[-1].lr == 0.01


def test_forged_settings_of_the_wrong_kind_are_ignored_not_crashed_on(qtbot):
    """Found by the project fuzzer: a list where a name belongs raised TypeError (unhashable) in set_config."""
    st = AppState()
    st.set_config({"optimizer": ["adam"], "schedule": {"x": 1}, "lr": "fast", "epochs": True, "augment": 1})
    assert st.settings == DEFAULT_SETTINGS
    st.set_config({"optimizer": "momentum", "schedule": "step"})
    assert st.settings["optimizer"] == "momentum" and st.settings["schedule"] == "step"


def test_a_seed_change_reaches_the_spec_and_says_so(qtbot):
    st = AppState()
    with qtbot.waitSignal(st.specChanged) as sig:
        st.set_setting("seed", 7)
    assert sig.args[0]["seed"] == 7 == st.spec["seed"]
    st.set_config({"seed": 11})
    assert st.spec["seed"] == 11


def test_results_belong_to_one_network(qtbot):
    st = AppState()
    net = Network.from_spec(st.spec)
    st.set_network(net, results={"test_accuracy": 0.9, "n_test": 10, "dataset": "sample"})
    assert st.results["test_accuracy"] == 0.9
    seen = []
    st.resultsChanged.connect(seen.append)
    st.set_results({"test_accuracy": 0.5}, network=net.copy())           # measured on another network: ignored
    assert st.results["test_accuracy"] == 0.9 and seen == []
    st.set_network(net.copy())                                           # a new network: no results yet
    assert st.results is None and seen == [None]
    st.set_results({"test_accuracy": 0.8, "dataset": "sample"})
    st.set_network(None)
    assert st.results is None and seen[-1] is None and not st.trained


def test_a_data_set_change_clears_results_of_the_old_one(qtbot, mnist_sample):
    st = AppState()
    st.set_network(Network.from_spec(st.spec), results={"test_accuracy": 0.9, "dataset": "sample"})
    st.set_dataset("sample", mnist_sample)
    assert st.results is not None                                       # the same data set: still true
    st.set_dataset("/some/folder", mnist_sample)
    assert st.results is None and st.network is not None


def test_no_view_ever_sees_a_spec_and_a_network_that_disagree(qtbot):
    st = AppState()
    st.set_network(Network.from_spec(st.spec))
    seen = []

    def check(*_):
        net = st.network
        sizes = [st.spec["input_size"]] + [l["units"] for l in st.spec["layers"]]
        seen.append(net is None or [net.input_size] + [l.units for l in net.layers] == sizes)
    st.specChanged.connect(check)
    st.networkChanged.connect(check)
    st.set_hidden([{"units": 32, "activation": "tanh"}])                 # spec first changes: network cleared
    other = Network.from_spec({**DEFAULT_SPEC, "layers": [{"units": 10, "activation": "softmax"}]})
    st.set_network(other)                                                 # a network of another shape: spec follows
    assert st.network is other and [l["units"] for l in st.spec["layers"]] == [10]
    assert seen and all(seen)


def test_reset_and_load_are_a_new_and_an_opened_document(qtbot):
    st = AppState()
    st.set_setting("lr", 0.1)
    st.set_hidden([])
    net = Network.from_spec(st.spec)
    st.set_network(net, results={"test_accuracy": 0.7})
    st.begin_run("a run")
    st.reset()
    assert st.network is None and st.results is None and st.runs == []
    assert st.settings == DEFAULT_SETTINGS and st.spec["layers"] == DEFAULT_SPEC["layers"]
    st.open_workspaces("digits", {"digits": dict(spec=net.to_spec(), settings={"lr": 0.02}, network=net, trained=True,
                                                 results={"test_accuracy": 0.75}, dataset="sample")})
    assert st.network is net and st.trained and st.results["test_accuracy"] == 0.75 and st.settings["lr"] == 0.02
    assert len(st.spec["layers"]) == 1


def test_the_drawn_digit_lives_in_the_model(qtbot):
    import numpy as np
    st = AppState()
    image = np.zeros((28, 28), np.float32)
    with qtbot.waitSignal(st.drawnDigitChanged):
        st.set_drawn_digit(image)
    assert st.drawn_digit is image


def test_a_data_set_that_cannot_be_loaded_is_a_sentence(qtbot, tmp_path):
    st = AppState()
    with qtbot.waitSignal(st.datasetFailed, timeout=10000) as sig:
        st.load_dataset(str(tmp_path / "nowhere"))
    assert "nowhere" in sig.args[0] and "Traceback" not in sig.args[0]
    assert st.dataset is None and st.dataset_name == DIGIT_DATASET and st.loading_dataset() is None


@pytest.mark.bug_expected
def test_a_bug_while_loading_a_data_set_is_logged_and_told(qtbot, monkeypatch, no_bug_reports):
    import app.dataset_loader as loader

    def broken(name):
        raise KeyError("x_train")
    monkeypatch.setattr(loader, "load_dataset", broken)
    st = AppState()
    with qtbot.waitSignal(st.datasetFailed, timeout=10000) as sig:
        st.load_dataset("sample")
    assert sig.args[0].startswith("Something went wrong inside MLP Studio (details saved to")
    assert no_bug_reports and "KeyError" in no_bug_reports[0]


def test_a_load_that_outlives_its_window_reports_nothing(qtbot, monkeypatch):
    import time

    import shiboken6

    import app.dataset_loader as loader
    started = []

    def slow(name, **params):
        started.append(name)
        time.sleep(0.3)
        return None
    monkeypatch.setattr(loader, "load_dataset", slow)
    st = AppState()
    st.load_dataset("sample")
    qtbot.waitUntil(lambda: started == ["sample"], timeout=5000)
    shiboken6.delete(st)                                # the window closed while the worker still runs
    qtbot.wait(600)                                     # its answer arrives: no "Signal source has been deleted"
