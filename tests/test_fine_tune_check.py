"""The held-out split of the student's digits and the before/after numbers of a fine-tune (pure NumPy)."""
import re

import numpy as np

from app.fine_tune_check import (MIN_DIGITS, DigitScores, FineTuneReport, change_text, digit_scores,
                                  held_out_split, measure)


def test_a_fifth_is_held_out_per_digit_seeded_never_the_last_of_a_digit():
    labels = np.repeat(np.arange(10), [5, 5, 5, 5, 5, 10, 1, 2, 3, 9])        # 50 digits
    train, held = held_out_split(labels, seed=0)
    assert len(held) == 10 and len(train) == 40
    assert sorted(np.r_[train, held].tolist()) == list(range(50))
    per_digit = np.bincount(labels[held], minlength=10)
    assert per_digit[:5].tolist() == [1] * 5 and per_digit[5] == 2 and per_digit[6] == 0
    assert all((labels[train] == d).any() for d in range(10))                  # every digit still trains
    again = held_out_split(labels, seed=0)
    np.testing.assert_array_equal(held, again[1])
    assert not np.array_equal(held, held_out_split(labels, seed=1)[1])


def test_below_the_minimum_nothing_is_held_out_and_one_digit_alone_still_gives_a_fifth():
    train, held = held_out_split(np.zeros(MIN_DIGITS - 1, int))
    assert len(held) == 0 and len(train) == MIN_DIGITS - 1
    assert len(held_out_split(np.zeros(MIN_DIGITS, int))[1]) == MIN_DIGITS // 5
    pairs = np.repeat(np.arange(10), 2)                                       # 2 of each: 4 of 20 held out
    held = held_out_split(pairs)[1]
    assert len(held) == 4 and np.bincount(pairs[held]).max() == 1


class Always:
    """A stand-in network that answers one digit for everything."""
    n_outputs = 10

    def __init__(self, digit):
        self.digit = digit

    def predict(self, x):
        return np.full(len(x), self.digit)


def test_scores_count_right_answers_per_digit_before_and_after():
    y = np.array([3, 3, 5, 7, 3])
    s = digit_scores(Always(3), Always(5), np.zeros((5, 2)), y)
    assert s.count.tolist() == [0, 0, 0, 3, 0, 1, 0, 1, 0, 0]
    assert s.before[3] == 3 and s.before.sum() == 3 and s.after[5] == 1 and s.after.sum() == 1
    assert s.total == (5, 3, 1)
    r = measure(Always(3), Always(5), np.zeros((0, 2)), np.zeros(0, int), np.zeros((5, 2)), y, "MNIST")
    assert r.yours.total == (0, 0, 0) and r.test.total == (5, 3, 1) and r.test_name == "MNIST"


def test_the_change_in_points_agrees_with_the_two_percentages_shown():
    """97.66 % → 97.54 % is shown 97.7 % → 97.5 %: the change the student reads is −0.2 points, not -0.1."""
    from app.widgets.teach_panel import TeachPanel
    count = np.ones(10, int) * 1000
    test = DigitScores(count, np.r_[np.full(4, 976), np.full(6, 977)], np.r_[np.full(6, 975), np.full(4, 976)])
    assert test.total == (10000, 9766, 9754)
    report = FineTuneReport(DigitScores(np.zeros(10, int), np.zeros(10, int), np.zeros(10, int)), test, "MNIST test")
    assert TeachPanel._summary(report).endswith("MNIST test: 97.7% → 97.5% (−0.2 points).")
    assert change_text(10000, 9754, 9766) == "97.5% → 97.7% (+0.2 points)"
    assert change_text(10000, 9766, 9768) == "97.7% → 97.7% (0.0 points)"       # 97.66 and 97.68 both read 97.7
    for before, after in np.random.default_rng(0).integers(0, 10001, (200, 2)):
        shown = change_text(10000, int(before), int(after))
        b, a, points = re.fullmatch(r"(\S+)% → (\S+)% \((\S+) points\)", shown.replace("−", "-")).groups()
        assert round(float(a) - float(b), 1) == float(points)
