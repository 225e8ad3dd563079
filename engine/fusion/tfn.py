"""Tensor Fusion Network (Zadeh et al., 2017): outer product of [h_m, 1] over modalities.

The appended 1 keeps the unimodal and bimodal terms inside the product; a masked
modality becomes [0, ..., 0, 1], so its factor drops out of every term.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("tfn", "Tensor fusion (TFN)", "Outer product of the modalities: models every pairwise and three-way interaction.")
class TensorFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1, factor_dim: int = 24):
        super().__init__(hidden, z_dim, dropout)
        # The product has (factor_dim + 1) ** 3 entries, so shrink each modality first.
        self.shrink = nn.Linear(hidden, factor_dim)
        self.out = nn.Sequential(nn.Dropout(dropout), nn.Linear((factor_dim + 1) ** 3, z_dim))

    def fuse(self, h, mask):
        one = torch.ones(mask.shape[0], 1, device=mask.device)
        t, i, v = (torch.cat([torch.tanh(self.shrink(x)) * mask[:, k : k + 1], one], -1) for k, x in enumerate(h))
        product = torch.einsum("bi,bj,bk->bijk", t, i, v).flatten(1)
        return self.out(product), None
