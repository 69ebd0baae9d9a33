"""A deliberately textbook MLP trainer: the floor `python -m engine bench` measures the engine against.

The same math as engine.network (ReLU hidden layers, softmax + cross-entropy, mini-batch SGD with momentum
v = mu v + g; w -= lr v), written the way a first course writes it: float64, a fancy-indexed copy of every
batch, a fresh one-hot matrix, fresh arrays for every z, a, delta, gradient and update, `sum(axis=0)` for the
bias gradient. Vectorised over the batch (no loop over samples): the gap to the engine is what the engine's
float32, preallocated buffers and in-place updates buy, not a strawman.
"""
from __future__ import annotations

import numpy as np


class NaiveMLP:
    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.weights = [rng.normal(0.0, np.sqrt(2.0 / m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n) for n in sizes[1:]]
        self.vw = [np.zeros_like(W) for W in self.weights]
        self.vb = [np.zeros_like(b) for b in self.biases]

    def __repr__(self):
        return f"NaiveMLP({'-'.join(map(str, self.sizes))}, float64)"

    def forward(self, X):
        """zs, activations (activations[0] = X); ReLU hidden layers, softmax output."""
        activations, zs = [X], []
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = activations[-1] @ W + b
            zs.append(z)
            if l < len(self.weights) - 1:
                activations.append(np.maximum(z, 0))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                activations.append(e / e.sum(axis=1, keepdims=True))
        return zs, activations

    def backprop(self, X, labels):
        """(mean cross-entropy, [dW], [db]) of the batch mean loss."""
        n = len(X)
        Y = np.eye(self.sizes[-1])[labels]
        zs, activations = self.forward(X)
        loss = -np.mean(np.log(activations[-1][np.arange(n), labels] + 1e-12))
        delta = (activations[-1] - Y) / n
        nabla_w, nabla_b = [None] * len(self.weights), [None] * len(self.weights)
        for l in range(len(self.weights) - 1, -1, -1):
            nabla_w[l] = activations[l].T @ delta
            nabla_b[l] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ self.weights[l].T) * (zs[l - 1] > 0)
        return loss, nabla_w, nabla_b

    def train_epoch(self, X, labels, batch_size, lr, momentum, rng) -> float:
        """One shuffled pass over (X, labels); returns the mean batch loss."""
        perm = rng.permutation(len(X))
        losses = []
        for s in range(0, len(X), batch_size):
            idx = perm[s:s + batch_size]
            loss, nabla_w, nabla_b = self.backprop(X[idx], labels[idx])
            self.vw = [momentum * v + g for v, g in zip(self.vw, nabla_w)]
            self.vb = [momentum * v + g for v, g in zip(self.vb, nabla_b)]
            self.weights = [W - lr * v for W, v in zip(self.weights, self.vw)]
            self.biases = [b - lr * v for b, v in zip(self.biases, self.vb)]
            losses.append(loss)
        return float(np.mean(losses))

    def predict(self, X):
        return self.forward(X)[1][-1].argmax(axis=1)
