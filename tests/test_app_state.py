"""AppState: loss and output activation kept consistent with a note; architecture changes drop stale weights."""
from app.state import DEFAULT_SETTINGS, DEFAULT_SPEC, AppState
from engine.network import Network
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
