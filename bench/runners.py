"""One runner per implementation the benchmark compares, and the digits they all train on.

Each runner is built as Runner(sizes, batch, data); epoch() trains one epoch, predict_one(x) is single-sample
inference. "ours" is the engine's real fast path, the one the app drives: Trainer(net, TrainConfig("momentum")).
"naive" is bench/naive.py, a textbook float64 trainer with fresh arrays per step: the floor.
torch and scikit-learn are the optional `bench` extra, imported only when their runner is built.
"""
from __future__ import annotations

import warnings

import numpy as np

from engine.data import load_dataset, mnist_available
from engine.errors import EngineError
from engine.network import Network
from engine.training import EpochStats, Finished, TrainConfig, Trainer

from .naive import NaiveMLP

ARCHS = {"784-128-10": [784, 128, 10], "784-256-128-10": [784, 256, 128, 10], "784-800-10": [784, 800, 10]}
IMPLS = ("ours", "torch", "sklearn", "naive")
LR, MU, SEED = 0.05, 0.9, 0


class Digits:
    """n training digits (float32 (n, 784), int64 labels); the float64 copy for the naive floor made on demand."""

    def __init__(self, n):
        ds = load_dataset("mnist" if mnist_available() else "sample")
        x, y = ds.x_train, ds.y_train
        reps = -(-n // len(x))
        self.source = ds.name if reps == 1 else f"{ds.name}: {len(x):,} digits tiled x{reps}"
        self.X = np.ascontiguousarray(np.tile(x, (reps, 1))[:n]) if reps > 1 else np.ascontiguousarray(x[:n])
        self.y = np.ascontiguousarray(np.tile(y, reps)[:n], dtype=np.int64)
        self._x64 = None

    @property
    def x64(self):
        if self._x64 is None:
            self._x64 = self.X.astype(np.float64)
        return self._x64


class Ours:
    def __init__(self, sizes, batch, data):
        spec = {"input_size": sizes[0], "seed": SEED, "loss": "cross_entropy",
                "layers": [{"units": u, "activation": "relu"} for u in sizes[1:-1]]
                + [{"units": sizes[-1], "activation": "softmax"}]}
        self.net = Network.from_spec(spec)
        cfg = TrainConfig(optimizer="momentum", lr=LR, momentum=MU, batch_size=batch, epochs=100_000,
                          val_fraction=0.0, seed=SEED)
        self.events = Trainer(self.net, cfg, data.X, data.y).run()

    def epoch(self):
        for event in self.events:
            if isinstance(event, EpochStats):
                return
            if isinstance(event, Finished):
                raise EngineError(f"The benchmark's training ended early: {event.message}")

    def batches_until_epoch_end(self):
        """Drive the batches of the current epoch but its last one (the steady-state loop, no epoch end)."""
        for event in self.events:
            if event.batch >= event.n_batches - 1:
                return

    def predict_one(self, x):
        return self.net.forward(x)


class Torch:
    def __init__(self, sizes, batch, data):
        import torch
        from torch import nn
        torch.manual_seed(SEED)
        layers = []
        for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(fi, fo)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
        self.torch, self.model, self.batch = torch, nn.Sequential(*layers), batch
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MU)
        self.X, self.y = torch.from_numpy(data.X), torch.from_numpy(data.y)
        self.gen = torch.Generator().manual_seed(SEED)

    def epoch(self):
        torch, F = self.torch, self.torch.nn.functional
        perm, total = torch.randperm(len(self.X), generator=self.gen), 0.0
        for s in range(0, len(self.X), self.batch):
            idx = perm[s:s + self.batch]
            loss = F.cross_entropy(self.model(self.X[idx]), self.y[idx])
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            total += loss.item()
        return total

    def predict_one(self, x):
        with self.torch.inference_mode():
            return self.model(self.torch.from_numpy(x)).softmax(1)


class Sklearn:
    def __init__(self, sizes, batch, data):
        from sklearn.neural_network import MLPClassifier
        self.X, self.y = data.X, data.y
        self.clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                                 alpha=0.0, batch_size=batch, learning_rate_init=LR, momentum=MU,
                                 nesterovs_momentum=False, max_iter=1, warm_start=True, shuffle=True,
                                 random_state=SEED, tol=0.0, n_iter_no_change=10**9)

    def epoch(self):
        from sklearn.exceptions import ConvergenceWarning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)    # max_iter=1 is one epoch on purpose
            self.clf.fit(self.X, self.y)

    def predict_one(self, x):
        if not hasattr(self.clf, "coefs_"):     # scikit-learn cannot predict before a fit: one on a few digits
            self.clf.set_params(warm_start=False).partial_fit(self.X[:256], self.y[:256], classes=np.arange(10))
        return self.clf.predict_proba(x)


class Naive:
    def __init__(self, sizes, batch, data):
        self.mlp, self.batch, self.data = NaiveMLP(sizes, SEED), batch, data
        self.rng = np.random.default_rng(SEED)

    def epoch(self):
        self.mlp.train_epoch(self.data.x64, self.data.y, self.batch, LR, MU, self.rng)

    def predict_one(self, x):
        return self.mlp.forward(x.astype(np.float64))[1][-1]


RUNNERS = {"ours": Ours, "torch": Torch, "sklearn": Sklearn, "naive": Naive}
REQUIRES = {"torch": "torch", "sklearn": "sklearn"}


def available(impls):
    """(runnable implementations, {name: why not}) - torch and scikit-learn are the optional `bench` extra."""
    ok, missing = [], {}
    for name in impls:
        module = REQUIRES.get(name)
        if module is not None:
            try:
                __import__(module)
            except ImportError:
                missing[name] = f"{module} is not installed (pip install -e '.[bench]')"
                continue
        ok.append(name)
    return ok, missing
