"""export_torch_folder: the folder a PyTorch user takes over from MLP Studio.

  model.py          the nn.Sequential (torch_files.py)          weights.pt    its weights, torch.save's format
  train.py          trains it further (train_script.py)         optimizer.pt  the optimizer's memory, if kept
  requirements.txt  what model.py and train.py need
train.py carries the settings the network was trained with and where that run stands (Network.train_state), so it
goes on from there; settings given explicitly start a new run from epoch 0 instead.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..atomic import atomic_write
from ..config import TrainConfig
from ..errors import SaveError
from ..version import __version__
from .torch_files import memory_tensors, torch_weights_bytes, write_model
from .train_script import train_script_text

TESTED_TORCH = "2.13.0"          # the PyTorch that .ci/run runs the export tests against
REQUIREMENTS = f"""\
# What model.py and train.py need: pip install -r requirements.txt
# (exported by MLP Studio {{version}}; its tests run them with torch {TESTED_TORCH} on the CPU)
torch>=2.1
numpy>=1.21
"""


def carried(net, cfg=None):
    """(settings, epochs of the run done, optimizer memory or None, source): the settings `cfg` if given (a new
    run), else the network's own record, else the engine's defaults (a network that never recorded one)."""
    if cfg is not None:
        return cfg.validate(), 0, None, "given"
    state = getattr(net, "train_state", None)
    if state is None:
        return TrainConfig(), 0, None, "default"
    return state.config, state.epoch, state.memory, "trained"


def export_torch_folder(net, cfg, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write out_dir/model.py, weights.pt, train.py, requirements.txt and (when the network's record holds the
    optimizer's memory) optimizer.pt; out_dir is created if its parent exists. cfg: the training settings (a
    TrainConfig) for a new run, or None for the ones the network was trained with. Returns {"model": ...,
    "weights": ..., "train": ..., "requirements": ...[, "optimizer": ...]}.

    Raises SpecError for an activation, loss or initialiser PyTorch lacks here, SaveError if the folder cannot be
    written.
    """
    out_dir = Path(out_dir)
    settings, epoch, memory, source = carried(net, cfg)
    train = train_script_text(net, settings, __version__, epoch, memory, source)  # checks all before writing
    extra = memory_tensors(net, settings.optimizer, memory) if memory is not None else {}
    try:
        out_dir.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise SaveError(f"Cannot export to {out_dir}: the folder {out_dir.parent} does not exist.") from None
    except OSError as exc:
        raise SaveError(f"Cannot export to {out_dir}: {exc.strerror or exc}.") from None
    model, weights = write_model(net, out_dir / "model.py", out_dir / "weights.pt")
    paths = {"model": model, "weights": weights, "train": out_dir / "train.py",
             "requirements": out_dir / "requirements.txt"}
    stale = out_dir / "optimizer.pt"
    if extra:
        paths["optimizer"] = stale
        with atomic_write(stale, "wb") as f:
            f.write(torch_weights_bytes(extra, archive="optimizer"))
    elif stale.exists():
        stale.unlink()           # a previous export's memory must not meet this train.py
    with atomic_write(paths["train"], "w") as f:
        f.write(train)
    with atomic_write(paths["requirements"], "w") as f:
        f.write(REQUIREMENTS.format(version=__version__))
    return paths
