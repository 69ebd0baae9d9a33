"""The pendigits reader: UNIPEN text -> labelled, writer-tagged stroke lists, y flipped to point down."""
import gzip

import numpy as np
import pytest

from engine.data.pendigits import load_pendigits, parse_pendigits
from engine.drawn import EVAL_WRITERS, bundled_pendigits, split_writers
from engine.errors import DataError

TEXT = """.INCLUDE dene.doc
.LEXICON "0" "1"
.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 12 224
.PEN_DOWN
 10 100
 50 100
 30 0
.PEN_UP
.PEN_DOWN
 20 50
 40 50
.PEN_UP
.DT 40
.SEGMENT DIGIT 1 ? "1"
.COMMENT 1 3 5
.PEN_DOWN
 5 9
.PEN_UP
"""


def test_strokes_labels_writers_and_y_pointing_down():
    a, b = parse_pendigits(TEXT)
    assert (a.label, a.writer, len(a.strokes)) == (7, 12, 2)
    np.testing.assert_array_equal(a.strokes[0], [[10, -100], [50, -100], [30, 0]])
    np.testing.assert_array_equal(a.strokes[1], [[20, -50], [40, -50]])
    assert (b.label, b.writer) == (1, 3) and b.strokes[0].shape == (1, 2)


def test_gzipped_and_plain_files_read_alike(tmp_path):
    plain, packed = tmp_path / "p.tra", tmp_path / "p.tra.gz"
    plain.write_text(TEXT)
    packed.write_bytes(gzip.compress(TEXT.encode()))
    assert [d.label for d in load_pendigits(plain)] == [d.label for d in load_pendigits(packed)] == [7, 1]


@pytest.mark.parametrize("text, words", [
    (".SEGMENT DIGIT 0 ? \"3\"\n.COMMENT 3 1 1\n.PEN_DOWN\n 1 x\n.PEN_UP\n", "Line 4"),
    ("hello\n", "no pendigits digits"),
    (".SEGMENT DIGIT 0 ? \"12\"\n.COMMENT 12 1 1\n.PEN_DOWN\n 1 2\n.PEN_UP\n", "outside 0-9"),
])
def test_malformed_text_gets_a_sentence(text, words):
    with pytest.raises(DataError, match=words):
        parse_pendigits(text)


def test_missing_file_and_binary_garbage_get_a_sentence(tmp_path):
    with pytest.raises(DataError, match="No drawn-digits file"):
        load_pendigits(tmp_path / "nope.gz")
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b" + bytes(range(200)))
    with pytest.raises(DataError, match="Could not read"):
        load_pendigits(bad)


def test_bundled_file_has_the_documented_counts_and_writer_split():
    digits = load_pendigits(bundled_pendigits())
    assert len(digits) == 7494
    assert sum(len(d.strokes) for d in digits) == 9433
    counts = np.bincount([d.label for d in digits], minlength=10)
    assert counts.tolist() == [780, 779, 780, 719, 780, 720, 720, 778, 719, 719]
    assert {d.writer for d in digits} == set(range(1, 31))
    train, held = split_writers(digits)
    assert {d.writer for d in held} == set(EVAL_WRITERS) and len(EVAL_WRITERS) == 10
    assert not {d.writer for d in train} & set(EVAL_WRITERS)
    assert len(train) + len(held) == len(digits)


def test_bundled_drawn_training_digits_are_the_other_writers_rendered_like_the_pad():
    from engine.data.pendigits import load_drawn_training
    from engine.drawn import render_digit
    x, y = load_drawn_training()
    train, _ = split_writers(load_pendigits(bundled_pendigits()))
    assert x.shape == (len(train), 784) == (4996, 784)
    assert y.tolist() == [d.label for d in train]          # same order: no evaluation writer's digit slipped in
    for i in range(0, len(train), 500):
        np.testing.assert_allclose(x[i], render_digit(train[i].strokes).ravel(), atol=0.5 / 255 + 1e-6)


def test_sample_plus_drawn_adds_them_to_training_only():
    from engine.data import load_dataset
    plain, both = load_dataset("sample"), load_dataset("sample+drawn")
    assert len(both.x_train) == len(plain.x_train) + 4996
    np.testing.assert_array_equal(both.x_train[:len(plain.x_train)], plain.x_train)
    np.testing.assert_array_equal(both.x_test, plain.x_test)      # still scored on the MNIST test set
    assert "pendigits" in both.source and both.name == "MNIST sample + drawn digits"
