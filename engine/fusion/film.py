"""FiLM (Perez et al., 2018): photos and video scale and shift the text representation.

h = h_text * (1 + gamma(h_m)) + beta(h_m) for each present visual modality m. Text is the
backbone because copy is mostly about what the merchant wrote; pixels modulate it.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("film", "FiLM", "Photos and video scale and shift the text features (feature-wise modulation).")
class FiLMFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1):
        super().__init__(hidden, z_dim, dropout)
        self.modulators = nn.ModuleList([nn.Linear(hidden, 2 * hidden) for _ in range(2)])
        self.visual_only = nn.Linear(hidden, hidden)  # backbone when there is no text at all
        self.out = nn.Sequential(nn.GELU(), nn.Linear(hidden, z_dim))
        for layer in self.modulators:  # start near identity: gamma, beta ~ 0
            nn.init.normal_(layer.weight, std=0.01)
            nn.init.zeros_(layer.bias)

    def fuse(self, h, mask):
        text, image, video = h
        backbone = text + self.visual_only(image + video) * (1 - mask[:, :1])
        for layer, x, k in zip(self.modulators, (image, video), (1, 2)):
            gamma, beta = layer(x).chunk(2, -1)
            present = mask[:, k : k + 1]
            backbone = backbone * (1 + gamma * present) + beta * present
        return self.out(backbone), None
