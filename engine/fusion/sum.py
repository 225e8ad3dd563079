"""Projected addition: the mean of the present modalities' projections."""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("sum", "Sum", "Projects each modality into one space and averages them.")
class SumFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1):
        super().__init__(hidden, z_dim, dropout)
        self.out = nn.Sequential(nn.GELU(), nn.Linear(hidden, z_dim))

    def fuse(self, h, mask):
        stacked = torch.stack(h, 1)  # (B, 3, hidden), masked rows already zero
        z = self.out(stacked.sum(1) / mask.sum(-1, keepdim=True).clamp_min(1))
        # Each term's share of the sum is its norm: an additive model's own decomposition.
        return z, stacked.norm(dim=-1).detach()
