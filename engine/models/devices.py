"""Pick the device once: ``cuda`` when present, else ``cpu``; the operator can force either."""
from __future__ import annotations

import torch

from engine.core.errors import StudioError


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise StudioError("--device cuda was asked for, but no CUDA GPU is visible to torch")
    if device not in ("cpu", "cuda"):
        raise StudioError(f"unknown device {device!r} (accepted: auto, cpu, cuda)")
    return torch.device(device)


def preferred_dtype(device: torch.device | str) -> torch.dtype:
    """The dtype to run the language model in on ``device``.

    float32 on the CPU (half-precision matmuls are slow there and the model is small).
    On a GPU: bfloat16 where the GPU does it natively (Ampere and later), float16 otherwise.
    bfloat16 keeps float32's exponent range, so activations and gradients cannot overflow or
    underflow the way float16 ones can (no loss scaling is needed to train through it).
    """
    device = torch.device(device)
    if device.type != "cuda":
        return torch.float32
    try:  # emulated bfloat16 (pre-Ampere) is slower than native float16: native only
        native = torch.cuda.is_bf16_supported(including_emulation=False)
    except TypeError:  # older torch: no emulation argument
        native = torch.cuda.is_bf16_supported()
    return torch.bfloat16 if native else torch.float16


def configure_threads(threads: int | None = None) -> int:
    """Set torch's CPU threads: ``threads`` if given, else 1 on machines with two cores or fewer.

    On 2 cores, a server runs the model in worker threads while other threads also call torch;
    each thread gets its own OpenMP pool and two pools of 2 oversubscribe the CPU. Measured on
    the 2-core machine (docs/PERFORMANCE.md): 64 tokens took 4.0 s with 2 threads in one thread,
    ~6.0 s with 2 threads once a second thread had used torch, and 5.8 s with 1 thread anywhere.
    """
    import os

    if threads:
        torch.set_num_threads(threads)
    elif (os.cpu_count() or 1) <= 2:
        torch.set_num_threads(1)
    return torch.get_num_threads()
