"""Carrying a Network to other engines. Map of the modules:

  torch_files     PyTorch: model.py (nn.Sequential) + weights.pt in torch.save's zip format (written without torch);
                  an optimizer's memory in the same layout (optimizer.pt)
  folder          export_torch_folder: DIR/model.py, weights.pt, train.py, requirements.txt, optimizer.pt
  train_script    the generated train.py: the settings the network was trained with, going on where it stopped
  train_template  train.py's text (plain PyTorch: DataLoader + DistributedSampler, DDP under torchrun, checkpoints)
  onnx_graph      ONNX: Gemm + activation per layer (needs the optional package onnx: require_onnx says so)
  cli             `python -m engine export MODEL.npz --to torch|onnx --out PATH`
"""
from .folder import export_torch_folder
from .onnx_graph import export_onnx, require_onnx
from .torch_files import export

__all__ = ["export", "export_onnx", "export_torch_folder", "require_onnx"]
