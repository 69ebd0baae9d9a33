"""Read evaluation writers' digits through the real drawing pad (mouse events, QPainter) and through the
engine's NumPy rendering, with the same saved model; print both accuracies and how often they disagree.

    QT_QPA_PLATFORM=offscreen python tools/drawn_canvas_check.py MODEL.npz [--n 500]
"""
from __future__ import annotations

import argparse

import numpy as np
from PySide6.QtWidgets import QApplication

from app.widgets.draw_canvas import DrawCanvas
from app.widgets.stroke_replay import replay_strokes as replay
from engine.data.pendigits import load_pendigits
from engine.drawn import bundled_pendigits, render_digit, split_writers, wilson_interval
from engine.network import Network

SIDE = 300


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--n", type=int, default=500)
    a = ap.parse_args()
    app = QApplication([])
    canvas = DrawCanvas()
    canvas.resize(SIDE, SIDE)
    canvas.show()
    app.processEvents()
    net = Network.load(a.model)
    _, held = split_writers(load_pendigits(bundled_pendigits()))
    pick = np.random.default_rng(0).choice(len(held), min(a.n, len(held)), replace=False)
    digits = [held[i] for i in pick]
    pad = np.array([replay(canvas, d.strokes).ravel() for d in digits])
    eng = np.array([render_digit(d.strokes).ravel() for d in digits])
    y = np.array([d.label for d in digits])
    pp, pe = net.predict(pad), net.predict(eng)
    for name, p in (("pad (QPainter, mouse events)", pp), ("engine (NumPy strokes)", pe)):
        k = int((p == y).sum())
        lo, hi = wilson_interval(k, len(y))
        print(f"{name:30s} {k / len(y):.2%}  ({lo:.1%} - {hi:.1%})")
    print(f"difference {abs((pp == y).mean() - (pe == y).mean()) * 100:.2f} points; predictions differ on "
          f"{int((pp != pe).sum())} of {len(y)} digits; image max abs difference "
          f"{np.abs(pad - eng).max(axis=1).mean():.3f} mean, {np.abs(pad - eng).max():.3f} worst")


if __name__ == "__main__":
    main()
