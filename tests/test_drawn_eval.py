"""Drawn-digit evaluation: rendering like the pad, Wilson intervals, the per-digit report, `evaluate --drawn`."""
import json

import numpy as np
import pytest

from engine.cli import main
from engine.data.pendigits import load_pendigits
from engine.drawn import (EVAL_WRITERS, bundled_pendigits, drawn_report, evaluate_drawn, render_digit,
                          split_writers, wilson_interval)
from engine.errors import DataError
from engine.network import Network
from engine.preprocess import CENTRE, centre_of_mass


def test_wilson_interval_matches_the_formula_and_known_values():
    lo, hi = wilson_interval(8, 10)
    # z = 1.96: the textbook value for 8/10 is (0.490, 0.943)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    lo, hi = wilson_interval(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(10 / (10 + 1.959964 ** 2), abs=1e-9)
    assert wilson_interval(0, 10)[0] == 0.0
    assert all(np.isnan(wilson_interval(0, 0)))


def test_report_counts_per_digit_and_overall():
    labels = np.array([0, 0, 0, 1, 1, 9])
    preds = np.array([0, 0, 7, 1, 4, 9])
    r = drawn_report(labels, preds, writers=2)
    rows = r.rows()
    assert [row["n"] for row in rows][:2] == [3, 2] and rows[0]["correct"] == 2
    assert rows[0]["accuracy"] == pytest.approx(2 / 3) and rows[9]["accuracy"] == 1.0
    assert np.isnan(rows[5]["accuracy"]) and rows[5]["n"] == 0
    assert r.accuracy == pytest.approx(4 / 6)
    d = r.to_dict()
    assert d["writers"] == 2 and d["n"] == 6 and d["low"] < 4 / 6 < d["high"]
    assert "  all      6     66.7%" in r.table()


def test_rendered_digit_is_mnist_shaped_and_centred():
    digit = load_pendigits(bundled_pendigits())[0]
    img = render_digit(digit.strokes)
    assert img.shape == (28, 28) and 0 <= img.min() and img.max() <= 1
    assert centre_of_mass(img) == pytest.approx((CENTRE, CENTRE), abs=0.05)
    rows, cols = np.nonzero(img > 0.05)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)     # the longer side fills the 20 px box


@pytest.fixture(scope="module")
def small_drawn(tmp_path_factory):
    """A pendigits file with 3 digits of each class by each of two evaluation writers and one other writer."""
    text = bundled_pendigits()
    import gzip
    lines = gzip.decompress(text.read_bytes()).decode().splitlines()
    keep, out, take, seen = {3, 6, 1}, [], False, {}
    for line in lines:
        if line.startswith(".SEGMENT"):
            take = False
        if line.startswith(".COMMENT"):
            label, writer = int(line.split()[1]), int(line.split()[2])
            take = writer in keep and seen.get((label, writer), 0) < 3
            if take:
                seen[(label, writer)] = seen.get((label, writer), 0) + 1
                out.append(segment)
        if line.startswith(".SEGMENT"):
            segment = line
        elif take:
            out.append(line)
    path = tmp_path_factory.mktemp("drawn") / "small.tra"
    path.write_text("\n".join(out) + "\n")
    return path


def test_evaluation_uses_only_the_evaluation_writers(small_drawn, digit_net):
    digits = load_pendigits(small_drawn)
    assert {d.writer for d in digits} == {1, 3, 6}
    report = evaluate_drawn(digit_net, small_drawn)
    assert report.writers == 2 and report.n.tolist() == [6] * 10
    _, held = split_writers(digits)
    X = np.array([render_digit(d.strokes).ravel() for d in held])
    expected = (digit_net.predict(X) == np.array([d.label for d in held])).sum()
    assert report.correct.sum() == expected


def test_cli_prints_the_per_digit_table(capsys, tmp_path, small_drawn, digit_net):
    model = tmp_path / "m.npz"
    digit_net.save(model)
    assert main(["evaluate", str(model), "--drawn", str(small_drawn)]) == 0
    out = capsys.readouterr().out
    assert "by 2 writers never used for training" in out
    table = out.splitlines()
    header = table.index("digit      n  accuracy   95% interval")
    rows = table[header + 1:header + 12]
    assert [r.split()[0] for r in rows] == [str(c) for c in range(10)] + ["all"]
    assert all(r.split()[1] == "6" for r in rows[:10]) and rows[10].split()[1] == "60"

    assert main(["evaluate", str(model), "--drawn", str(small_drawn), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == 60 and result["writers"] == 2 and len(result["per_class"]) == 10
    assert result["accuracy"] == pytest.approx(sum(r["correct"] for r in result["per_class"]) / 60)


def test_cli_bad_drawn_inputs_get_one_line(capsys, tmp_path, small_drawn, digit_net):
    small = Network.from_spec({"input_size": 4, "layers": [{"units": 3, "activation": "softmax"}],
                               "loss": "cross_entropy"})
    model = tmp_path / "small.npz"
    small.save(model)
    assert main(["evaluate", str(model), "--drawn", str(small_drawn)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Drawn digits are 28x28") and err.count("\n") == 1
    digit_net.save(tmp_path / "digits.npz")
    assert main(["evaluate", str(tmp_path / "digits.npz"), "--drawn", str(tmp_path / "none.gz")]) == 2
    assert "No drawn-digits file" in capsys.readouterr().err


def test_evaluation_writers_missing_from_a_file_is_a_sentence(tmp_path, digit_net):
    path = tmp_path / "w1.tra"
    path.write_text('.SEGMENT DIGIT 0 ? "1"\n.COMMENT 1 1 1\n.PEN_DOWN\n 1 2\n 1 50\n.PEN_UP\n')
    with pytest.raises(DataError, match="no digits by the evaluation writers"):
        evaluate_drawn(digit_net, path)
    assert 1 not in EVAL_WRITERS


@pytest.mark.slow
def test_the_default_training_reads_drawn_digits_by_unseen_writers():
    from engine.data import load_dataset
    from engine.presets import DIGIT_DATASET, digit_spec, preset
    from engine.training import fit
    ds = load_dataset(DIGIT_DATASET)
    net = Network.from_spec(digit_spec())
    fit(net, preset("app_digits"), ds.x_train, ds.y_train)
    report = evaluate_drawn(net, bundled_pendigits())
    assert report.writers == 10 and report.n.sum() == 2498
    assert report.accuracy >= 0.93
    assert all(r["accuracy"] >= 0.85 for r in report.rows()), report.table()
    assert (net.predict(ds.x_test) == ds.y_test).mean() >= 0.973
