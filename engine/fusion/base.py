"""What every fusion method shares: per-modality projections, masks and contributions.

A fusion method maps per-modality features ``{"text": (B,384), "image": (B,1280),
"video": (B,1280)}`` plus a presence mask ``(B,3)`` to one vector Z ``(B, z_dim)`` and a
per-modality contribution ``(B,3)`` that sums to 1 over the modalities present. A masked
modality is zeroed right after its projection, so its raw values never reach Z.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.encoders.features import DIMS, MODALITIES


@dataclass
class FusionOutput:
    z: torch.Tensor  # (B, z_dim)
    contributions: torch.Tensor  # (B, 3) in MODALITIES order, rows sum to 1 over present modalities

    def contribution_dict(self, row: int = 0) -> dict[str, float]:
        return {m: float(v) for m, v in zip(MODALITIES, self.contributions[row].tolist())}


def normalise(weights: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Non-negative weights -> shares over the present modalities (uniform when all are ~0)."""
    weights = weights.clamp_min(0) * mask
    total = weights.sum(-1, keepdim=True)
    uniform = mask / mask.sum(-1, keepdim=True).clamp_min(1)
    return torch.where(total > 1e-12, weights / total.clamp_min(1e-12), uniform)


class FusionBase(nn.Module):
    """Projects each modality to ``hidden`` and zeroes what is masked; subclasses combine."""

    modalities = MODALITIES

    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1):
        super().__init__()
        self.hidden, self.z_dim = hidden, z_dim
        self.proj = nn.ModuleDict({
            m: nn.Sequential(nn.LayerNorm(DIMS[m]), nn.Dropout(dropout), nn.Linear(DIMS[m], hidden))
            for m in MODALITIES
        })

    def project(self, features: dict[str, torch.Tensor], mask: torch.Tensor) -> list[torch.Tensor]:
        mask = mask.to(torch.float32)
        return [self.proj[m](features[m].float()) * mask[:, i : i + 1] for i, m in enumerate(MODALITIES)]

    def fuse(self, h: list[torch.Tensor], mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return Z and native contributions (attention/gates), or None to use ablation."""
        raise NotImplementedError

    def forward(self, features: dict[str, torch.Tensor], mask: torch.Tensor) -> FusionOutput:
        mask = mask.to(torch.float32)
        h = self.project(features, mask)
        z, weights = self.fuse(h, mask)
        if weights is None:
            weights = self.ablation_weights(h, mask, z)
        return FusionOutput(z, normalise(weights, mask))

    @torch.no_grad()
    def ablation_weights(self, h: list[torch.Tensor], mask: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """How far Z moves when each present modality is removed (an ablation share).

        Methods without attention or gates (concat, TFN, LMF, FiLM) have no native weight
        per modality; the change in Z on leaving one out is the honest stand-in.
        """
        shifts = []
        for i in range(len(MODALITIES)):
            dropped = mask.clone()
            dropped[:, i] = 0
            h_dropped = [x * dropped[:, j : j + 1] for j, x in enumerate(h)]
            z_dropped, _ = self.fuse(h_dropped, dropped)
            shifts.append((z - z_dropped).norm(dim=-1))
        return torch.stack(shifts, -1)
