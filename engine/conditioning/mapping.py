"""ClipCap's MLP mapping network (Mokady et al., 2021): Z -> k embeddings in the LM's space."""
from __future__ import annotations

import torch
from torch import nn


class MappingNetwork(nn.Module):
    def __init__(self, z_dim: int = 256, lm_dim: int = 576, prefix_length: int = 4, hidden: int = 512,
                 embed_scale: float = 1.0):
        super().__init__()
        self.prefix_length, self.lm_dim = prefix_length, lm_dim
        self.mlp = nn.Sequential(nn.Linear(z_dim, hidden), nn.Tanh(), nn.Linear(hidden, prefix_length * lm_dim))
        # The prefix starts at the scale of real token embeddings, so the frozen LM is not
        # thrown off by inputs far outside what it was trained on.
        self.scale = nn.Parameter(torch.tensor(float(embed_scale)))
        self.norm = nn.LayerNorm(lm_dim, elementwise_affine=False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        prefix = self.mlp(z).view(-1, self.prefix_length, self.lm_dim)
        return self.norm(prefix) * self.scale
