"""`python -m engine export MODEL.npz --to torch|onnx --out PATH`: the export subcommand, hooked into engine.cli."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import SpecError


def add_parser(subparsers) -> None:
    e = subparsers.add_parser("export", help="write a saved model as a PyTorch folder (model.py, weights.pt, "
                              "train.py) or an ONNX file")
    e.add_argument("model", metavar="MODEL.npz")
    e.add_argument("--to", choices=["torch", "onnx"], required=True, help="torch: a folder; onnx: one .onnx file")
    e.add_argument("--out", required=True, metavar="PATH", help="the folder (torch) or file (onnx) to write")
    e.add_argument("--settings", metavar="FILE.json", help="train.py starts a new run with these settings (JSON of "
                   "TrainConfig fields, e.g. {\"optimizer\": \"adam\", \"lr\": 0.001}); default: it goes on with "
                   "the settings the model was trained with, from where its run stopped")


def _settings(path):
    from ..training import TrainConfig
    if path is None:
        return None
    try:
        fields = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"Cannot read the settings file {path}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SpecError(f"The settings file {path} is not valid JSON.") from None
    if not isinstance(fields, dict):
        raise SpecError(f"The settings file {path} must hold one JSON object of training settings.")
    return TrainConfig.from_dict(fields).validate()


def run(args) -> int:
    from ..network import Network
    from . import export_onnx, export_torch_folder
    net = Network.load(args.model)
    if args.to == "onnx":
        print(export_onnx(net, args.out))
        return 0
    cfg = _settings(args.settings)
    if cfg is None and net.train_state is None:
        print(f"note: {Path(args.model).name} holds no record of its training (saved before model format 2 or never "
              "trained), so train.py uses the engine's default settings.", file=sys.stderr)
    for path in export_torch_folder(net, cfg, args.out).values():
        print(path)
    return 0
