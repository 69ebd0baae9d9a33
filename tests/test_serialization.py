"""Model files: round trip; damaged / foreign / newer / tampered files give ModelFileError with a sentence."""
import json
import os

import numpy as np
import pytest

from engine import Network
from engine.errors import ModelFileError, SaveError

SPEC = {"input_size": 6, "layers": [{"units": 5, "activation": "leaky_relu", "alpha": 0.2},
                                    {"units": 3, "activation": "softmax"}], "loss": "cross_entropy", "seed": 4}


@pytest.fixture
def saved(tmp_path):
    net = Network.from_spec(SPEC, dtype="float64")
    net.history = [{"epoch": 1, "train_loss": 0.5, "val_loss": None}]
    path = tmp_path / "model.npz"
    net.save(path)
    return net, path


def test_round_trip(saved, tiny_data):
    net, path = saved
    back = Network.load(path)
    assert back.to_spec() == net.to_spec() and back.dtype == net.dtype
    assert np.array_equal(back.params, net.params)
    assert np.array_equal(back.forward(tiny_data[0]), net.forward(tiny_data[0]))
    assert back.history == net.history
    with np.load(path, allow_pickle=False) as z:
        assert int(z["format_version"]) == 2 and json.loads(str(z["spec"]))["loss"] == "cross_entropy"
        assert {"W0", "b0", "W1", "b1", "history"} <= set(z.files)


def test_save_leaves_no_temp_file_and_overwrites(saved):
    net, path = saved
    net.params[:] = 1
    net.save(path)
    assert np.all(Network.load(path).params == 1)
    assert os.listdir(path.parent) == ["model.npz"]


def test_unwritable_place_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="folder does not exist"):
        Network.from_spec(SPEC).save(tmp_path / "missing" / "m.npz")


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), "damaged|not an MLP Studio model"),
    (lambda p: p.write_bytes(b"hello, I am a text file"), "damaged|not an MLP Studio model"),
    (lambda p: p.write_bytes(b""), "damaged|not an MLP Studio model"),
    (lambda p: _rewrite(p, format_version=np.array(7)), r"newer version .*format 7"),
    (lambda p: _rewrite(p, format_version=None), "not an MLP Studio model"),
    (lambda p: _rewrite(p, magic=np.array("something else")), "not an MLP Studio model"),
    (lambda p: _rewrite(p, W1=np.zeros((4, 3))), "W1 have shape"),
    (lambda p: _rewrite(p, b0=None), "b0 are missing"),
    (lambda p: _rewrite(p, W0=np.full((6, 5), np.nan)), "NaN"),
    (lambda p: _rewrite(p, spec=np.array("{not json")), "damaged"),
    (lambda p: _rewrite(p, spec=np.array(json.dumps({**SPEC, "loss": "hinge"}))), "invalid"),
])
def test_bad_files_give_model_file_error(saved, damage, message):
    _, path = saved
    damage(path)
    with pytest.raises(ModelFileError, match=message) as err:
        Network.load(path)
    assert "model.npz" in str(err.value)


def test_foreign_npz_and_pickles_refused(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x_train=np.zeros(3))
    with pytest.raises(ModelFileError, match="not an MLP Studio model"):
        Network.load(foreign)
    evil = tmp_path / "evil.npz"
    np.savez(evil, format_version=np.array(1), spec=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ModelFileError):
        Network.load(evil)
    with pytest.raises(ModelFileError, match="does not exist"):
        Network.load(tmp_path / "nope.npz")
    with pytest.raises(ModelFileError, match="folder"):
        Network.load(tmp_path)
