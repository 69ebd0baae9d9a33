"""Learning-rate schedules: the learning rate of epoch e (1-based) of E, from the base rate lr0.

  constant  lr = lr0
  step      lr = lr0 * gamma ^ floor((e - 1) / step_size)         (step decay)
  cosine    lr = min_lr + (lr0 - min_lr) * (1 + cos(pi (e - 1) / E)) / 2
"""
from __future__ import annotations

import math


def constant(lr0, epoch, epochs, step_size=10, gamma=0.5, min_lr=0.0):
    return lr0


def step(lr0, epoch, epochs, step_size=10, gamma=0.5, min_lr=0.0):
    return lr0 * gamma ** ((epoch - 1) // max(1, step_size))


def cosine(lr0, epoch, epochs, step_size=10, gamma=0.5, min_lr=0.0):
    return min_lr + (lr0 - min_lr) * (1 + math.cos(math.pi * (epoch - 1) / max(1, epochs))) / 2


SCHEDULES = {"constant": constant, "step": step, "cosine": cosine}
SCHEDULE_LABELS = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine decay"}
