"""engine.calibration: the reliability diagram's numbers against a hand computation."""
from __future__ import annotations

import numpy as np
import pytest

from engine.calibration import reliability
from engine.errors import DataError


def test_reliability_by_hand():
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.3, 0.7], [0.55, 0.45], [0.4, 0.6], [1.0, 0.0]])
    y = np.array([0, 1, 1, 0, 0, 0])
    r = reliability(probs, y, bins=5)          # bins (0,.2] (.2,.4] (.4,.6] (.6,.8] (.8,1]
    # confidences .95 .9 .7 .55 .6 1.0; right: yes no yes yes no yes
    assert r.counts.tolist() == [0, 0, 2, 1, 3]
    assert r.confidence[2] == pytest.approx((0.55 + 0.6) / 2) and r.accuracy[2] == pytest.approx(0.5)
    assert r.confidence[3] == pytest.approx(0.7) and r.accuracy[3] == 1.0
    assert r.confidence[4] == pytest.approx((0.95 + 0.9 + 1.0) / 3) and r.accuracy[4] == pytest.approx(2 / 3)
    assert np.isnan(r.confidence[0]) and np.isnan(r.accuracy[1])
    ece = 2 / 6 * abs(0.5 - 0.575) + 1 / 6 * abs(1 - 0.7) + 3 / 6 * abs(2 / 3 - 0.95)
    assert r.ece == pytest.approx(ece)
    assert r.mean_confidence == pytest.approx(np.mean([.95, .9, .7, .55, .6, 1.0]))
    assert r.overall_accuracy == pytest.approx(4 / 6)
    assert np.allclose(r.edges, [0, .2, .4, .6, .8, 1])


def test_a_bin_edge_belongs_to_the_lower_bin_and_perfect_calibration_scores_zero():
    probs = np.array([[0.6, 0.4]] * 5)         # 0.6 sits on an edge of 5 bins: it goes to (.4, .6]
    y = np.array([0, 0, 0, 1, 1])              # 60 % right at 60 % sure
    r = reliability(probs, y, bins=5)
    assert r.counts.tolist() == [0, 0, 5, 0, 0]
    assert r.ece == pytest.approx(0.0, abs=1e-12)


def test_mismatched_inputs_are_refused():
    with pytest.raises(DataError):
        reliability(np.ones((3, 2)) / 2, [0, 1])
