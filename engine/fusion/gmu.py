"""Gated Multimodal Unit (Arevalo et al., 2017), generalised to three modalities.

Each modality gives a candidate tanh(W_m x_m); a softmax gate over the present ones,
computed from all inputs, decides how much of each enters Z. The gates are the
contributions the UI shows.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("gmu", "Gated multimodal unit (GMU)", "Learned gates decide, per product, how much each modality counts.")
class GatedFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1):
        super().__init__(hidden, z_dim, dropout)
        self.candidate = nn.ModuleList([nn.Linear(hidden, z_dim) for _ in range(3)])
        self.gate = nn.Linear(3 * hidden + 3, 3)

    def fuse(self, h, mask):
        logits = self.gate(torch.cat([*h, mask], -1)).masked_fill(mask == 0, -1e4)
        gates = torch.softmax(logits, -1) * mask
        candidates = torch.stack([torch.tanh(layer(x)) for layer, x in zip(self.candidate, h)], 1)
        z = (gates.unsqueeze(-1) * candidates).sum(1)
        return z, gates.detach()
