"""Pick the device once: ``cuda`` when present, else ``cpu``; the operator can force either."""
from __future__ import annotations

import torch

from engine.errors import StudioError


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise StudioError("--device cuda was asked for, but no CUDA GPU is visible to torch")
    if device not in ("cpu", "cuda"):
        raise StudioError(f"unknown device {device!r} (accepted: auto, cpu, cuda)")
    return torch.device(device)
