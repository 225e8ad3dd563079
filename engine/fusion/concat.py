"""Early fusion: concatenate the projected modalities (and the mask) and mix with an MLP."""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("concat", "Concatenation", "Joins the three feature vectors and mixes them with a small MLP.")
class ConcatFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1):
        super().__init__(hidden, z_dim, dropout)
        # The mask goes in too, so "absent" is told apart from "present but all zeros".
        self.mlp = nn.Sequential(nn.Linear(3 * hidden + 3, hidden), nn.GELU(), nn.Linear(hidden, z_dim))

    def fuse(self, h, mask):
        return self.mlp(torch.cat([*h, mask], -1)), None
