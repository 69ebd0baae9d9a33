"""Carrying a Network to other engines. Map of the modules:

  torch_files   PyTorch: model.py (nn.Sequential) + weights.pt in torch.save's zip format (written without torch),
                and export_torch_folder: DIR/model.py, DIR/weights.pt, DIR/train.py
  train_script  the generated train.py: the same settings, CPU or CUDA, DistributedDataParallel under torchrun
  onnx_graph    ONNX: Gemm + activation per layer (needs the optional package onnx: require_onnx says so)
  cli           `python -m engine export MODEL.npz --to torch|onnx --out PATH`
"""
from .onnx_graph import export_onnx, require_onnx
from .torch_files import export, export_torch_folder

__all__ = ["export", "export_onnx", "export_torch_folder", "require_onnx"]
