"""Network: a multi-layer perceptron (a stack of Dense layers) with forward pass and backpropagation.

Backpropagation, as the course writes it (vectorised over the batch, one matrix product per equation):
  output layer:  delta_L = dL/dz_L        (softmax + cross-entropy: (a - Y) / n)
  every layer l: dW_l = a_{l-1}^T delta_l  (dL/dW_{i->j} = delta_j * z_i summed over the batch)
                 db_l = ones @ delta_l
                 delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1})
`Network.backward` is the only implementation: `backprop()` calls it with fresh arrays, the Trainer's fast path
with preallocated buffers, so what the app inspects is exactly what training uses.
Dropout (dropout.py) enters only a training pass given a Dropout: the forward pass multiplies a hidden layer's
output by its mask, the backward pass multiplies that layer's delta by the same mask. Without one (predict, loss,
evaluation) the code path is the plain one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import make_activation
from .dropout import Dropout
from .errors import DataError, SpecError
from .initializers import make_initializer
from .layers import Dense
from .losses import LOSSES, to_targets
from .quiet import quiet_float
from .serialization import load_network, save_network
from .spec import copy_spec, count_params, describe, layer_sizes, validate_spec

DTYPES = ("float32", "float64")


@dataclass
class Backprop:
    """One forward + backward pass over a batch. deltas[l] = dL/dz_l of the batch mean loss; grads[l] = (dW, db);
    dropout: the pass's Dropout (None: none), its masks in `masks`; activations are then the outputs after them."""
    loss: float
    zs: list
    activations: list
    deltas: list
    grads: list
    dropout: Dropout | None = None

    @property
    def masks(self) -> list | None:
        return None if self.dropout is None else self.dropout.masks


class Workspace:
    """Every buffer one training batch needs, allocated once per batch size (views give smaller batches)."""

    def __init__(self, net: "Network", batch_size: int, gather: bool = True, _parent=None):
        B, sizes, dt = batch_size, layer_sizes(net.spec), net.dtype
        self.batch_size = B
        if _parent is None:
            # gather=False: the batch is the whole data set, read in place (batch GD), no copy buffers
            self.x = np.empty((B, sizes[0]), dt) if gather else None
            self.Y = np.empty((B, sizes[-1]), dt) if gather else None
            self.labels = np.empty(B, np.int64) if gather else None
            self.pred = np.empty(B, np.intp)
            self.hit = np.empty(B, bool)
            self.ones = np.ones(B, dt)
            self.rows = np.empty((2, B), dt)
            self.zs = [np.empty((B, n), dt) for n in sizes[1:]]
            self.acts = [np.empty((B, n), dt) for n in sizes[1:]]
            self.deltas = [np.empty((B, n), dt) for n in sizes[1:]]
            self.work = [np.empty((B, n), dt) for n in sizes[1:]]
            self.dropout = Dropout.allocate(net.spec, B, dt)      # None without dropout: nothing to draw
            self._views = {B: self}
        else:
            m, p = batch_size, _parent
            self.x, self.Y, self.labels, self.pred, self.hit, self.ones = (
                None if a is None else a[:m] for a in (p.x, p.Y, p.labels, p.pred, p.hit, p.ones))
            self.rows = np.empty((2, m), dt)   # rows must be contiguous per row for the reductions
            self.zs, self.acts, self.deltas, self.work = ([a[:m] for a in lst] for lst in
                                                         (p.zs, p.acts, p.deltas, p.work))
            self.dropout = None if p.dropout is None else p.dropout.view(m)

    def view(self, m: int, net: "Network") -> "Workspace":
        """The first m rows of every buffer (cached: the last, partial batch of an epoch reuses it)."""
        ws = self._views.get(m)
        if ws is None:
            ws = self._views[m] = Workspace(net, m, _parent=self)
        return ws


class Network:
    """An MLP built from a spec dict; parameters live in one flat buffer `params` (layers hold views)."""

    def __init__(self, spec: dict, dtype="float32", init=True):
        self.spec = validate_spec(spec)
        if str(np.dtype(dtype)) not in DTYPES:
            raise SpecError(f"dtype must be float32 or float64, not {dtype}.")
        self.dtype = np.dtype(dtype)
        self.params = np.zeros(count_params(self.spec), self.dtype)
        self.layers = [Dense(W, b, make_activation(l), l.get("init"))
                       for (W, b), l in zip(self.views(self.params), self.spec["layers"])]
        self.loss_fn = LOSSES[self.spec["loss"]]()
        self.history: list[dict] = []
        self.train_state = None            # a TrainState (train_state.py): how it was trained, where that stands
        if init:
            self.initialize(self.spec["seed"])

    # --- construction -------------------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: dict, dtype="float32") -> "Network":
        return cls(spec, dtype)

    def to_spec(self) -> dict:
        return copy_spec(self.spec)

    def initialize(self, seed=None):
        """Seeded init: He or Xavier per layer (or the layer's "init"), biases zero; same seed -> same weights."""
        rng = np.random.default_rng(self.spec["seed"] if seed is None else seed)
        for layer, spec in zip(self.layers, self.spec["layers"]):
            layer.W[...] = make_initializer(spec)(rng, layer.fan_in, layer.units)
            layer.b[...] = 0

    def views(self, flat: np.ndarray) -> list:
        """[(W, b), ...] views into any flat buffer laid out like `params` (W0, b0, W1, b1, ...)."""
        sizes, out, o = layer_sizes(self.spec), [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            W = flat[o:o + fan_in * fan_out].reshape(fan_in, fan_out)
            o += fan_in * fan_out
            out.append((W, flat[o:o + fan_out]))
            o += fan_out
        return out

    def zeros_like_params(self):
        """A zero flat buffer shaped like params, and its per-layer (dW, db) views."""
        flat = np.zeros_like(self.params)
        return flat, self.views(flat)

    def workspace(self, batch_size: int, gather: bool = True) -> Workspace:
        return Workspace(self, batch_size, gather)

    def copy(self) -> "Network":
        net = Network(self.spec, self.dtype, init=False)
        net.params[...] = self.params
        net.history = [dict(h) for h in self.history]
        net.train_state = None if self.train_state is None else self.train_state.copy()
        return net

    # --- facts --------------------------------------------------------------------------------------------
    @property
    def n_params(self) -> int:
        return self.params.size

    @property
    def input_size(self) -> int:
        return self.spec["input_size"]

    @property
    def n_outputs(self) -> int:
        return self.spec["layers"][-1]["units"]

    @property
    def loss_name(self) -> str:
        return self.spec["loss"]

    def __repr__(self):
        return f"Network({describe(self.spec)}, {self.n_params:,} params)"

    # --- forward --------------------------------------------------------------------------------------------
    def as_inputs(self, X) -> np.ndarray:
        """X as an (n, input_size) array of the network's dtype (one sample may be 1-D); DataError if too wide or narrow."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1 and X.size == self.input_size:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.input_size:
            got = X.shape[-1] if X.ndim else 1
            raise DataError(f"The network expects {self.input_size} inputs per sample but the data has {got}.")
        return X

    def targets(self, y, n=None) -> np.ndarray:
        Y = to_targets(y, self.n_outputs, self.dtype)
        if n is not None and len(Y) != n:
            raise DataError(f"There are {n} samples but {len(Y)} labels.")
        return Y

    @quiet_float
    def forward_trace(self, X, ws: Workspace | None = None, dropout: Dropout | None = None):
        """(zs, activations): zs[l] = x W + b of layer l; activations[0] = X, activations[l+1] = f(zs[l]), times
        the layer's dropout mask in a training pass given `dropout` (f(zs[l]) itself is then dropout.outputs[l])."""
        if ws is None:
            X = self.as_inputs(X)
        zs, acts = [], [X]
        for l, layer in enumerate(self.layers):
            z, a = layer.forward(acts[-1], *((ws.zs[l], ws.acts[l], ws.rows) if ws is not None else ()))
            if dropout is not None and dropout.masks[l] is not None:
                a = dropout.apply(l, a)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def forward(self, X) -> np.ndarray:
        """(n, k) output after the last activation."""
        return self.forward_trace(X)[1][-1]

    def predict_proba(self, X) -> np.ndarray:
        return self.forward(X)

    def predict(self, X) -> np.ndarray:
        """Class numbers: argmax of the outputs (a single sigmoid output: 1 if > 0.5)."""
        return self.classes(self.forward(X))

    @staticmethod
    def classes(out: np.ndarray) -> np.ndarray:
        """The class numbers the outputs `out` (n, outputs) name: predict() without the forward pass."""
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return out.argmax(axis=1)

    @quiet_float
    def loss(self, X, y, masks=None) -> float:
        """Mean over the samples of the loss summed over the outputs (with given dropout masks: that training pass's)."""
        X = self.as_inputs(X)
        zs, acts = self.forward_trace(X, dropout=Dropout.fixed(masks, self.dtype))
        return self.loss_fn.value(zs[-1], acts[-1], self.targets(y, len(X)))

    # --- backward ---------------------------------------------------------------------------------------------
    @quiet_float
    def backward(self, acts, zs, delta, grads, deltas, work=None, ones=None, dropout: Dropout | None = None):
        """Backpropagate the output delta (dL/dz of the last layer, already in deltas[-1]) down the stack.

        grads: [(dW, db), ...] written in place; deltas[l] receives dL/dz_l; work: scratch per layer or None;
        dropout: the forward pass's (its masks again, and f(z) before them for f').
        """
        ones = np.ones(len(delta), self.dtype) if ones is None else ones
        # one sample: dW is an outer product, which np.matmul leaves to a slow non-BLAS loop (6x); np.dot does not
        outer = np.dot if len(delta) == 1 else np.matmul
        for l in range(len(self.layers) - 1, -1, -1):
            dW, db = grads[l]
            outer(acts[l].T, delta, out=dW)                       # dL/dW_{i->j} = z_i * delta_j
            np.matmul(ones, delta, out=db)                        # dL/db_j = delta_j summed over the batch
            if l > 0:
                prev = np.matmul(delta, self.layers[l].W.T, out=deltas[l - 1])
                a = acts[l]
                if dropout is not None and dropout.masks[l - 1] is not None:
                    prev *= dropout.masks[l - 1]                  # a switched-off unit passes no error back
                    a = dropout.outputs[l - 1]
                self.layers[l - 1].activation.backward(zs[l - 1], a, prev, None if work is None else work[l - 1])
                delta = prev
        return grads

    @quiet_float
    def backprop(self, X, y, masks=None) -> Backprop:
        """Forward, loss, and backward over a batch; every array fresh (for inspection and tests). masks: dropout
        masks to train with (one per layer, None where none; rows like X), else a pass without dropout."""
        X = self.as_inputs(X)
        Y = self.targets(y, len(X))
        dropout = Dropout.fixed(masks, self.dtype)
        zs, acts = self.forward_trace(X, dropout=dropout)
        loss = self.loss_fn.value(zs[-1], acts[-1], Y)
        deltas = [np.empty_like(z) for z in zs]
        self.loss_fn.delta(zs[-1], acts[-1], Y, self.layers[-1].activation, out=deltas[-1])
        _, grads = self.zeros_like_params()
        self.backward(acts, zs, deltas[-1], grads, deltas, dropout=dropout)
        return Backprop(loss, zs, acts, deltas, grads, dropout)

    def gradients(self, X, y, masks=None) -> list:
        """[(dW, db), ...] of the batch mean loss."""
        return self.backprop(X, y, masks).grads

    # --- files ----------------------------------------------------------------------------------------------
    def save(self, path) -> None:
        save_network(self, path)

    @classmethod
    def load(cls, path) -> "Network":
        return load_network(path, cls)
