"""The network as it was initialised: rebuilt from its spec, whose seed gives bit-identical starting weights."""
from __future__ import annotations

import json

import numpy as np

_cache: dict = {}


def initial_network(net):
    """A Network equal to `net` at initialisation (cached for the latest spec: views ask on every snapshot)."""
    spec = net.to_spec()
    key = (json.dumps(spec, sort_keys=True), str(np.dtype(net.dtype)))
    if key not in _cache:
        from engine.network import Network
        _cache.clear()
        _cache[key] = Network.from_spec(spec, dtype=key[1])
    return _cache[key]
