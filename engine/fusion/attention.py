"""Cross-modal attention: modality tokens attend to each other, then a learned query pools.

A transformer layer over the (up to three) modality tokens lets each one read the others;
masked tokens are padding, so nothing attends to them. The pooling query's attention
weights are the contributions.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.fusion.base import FusionBase
from engine.fusion.registry import register_fusion


@register_fusion("attention", "Cross-modal attention", "A small transformer over modality tokens; attention weights show what it read.")
class AttentionFusion(FusionBase):
    def __init__(self, hidden: int = 256, z_dim: int = 256, dropout: float = 0.1, heads: int = 4):
        super().__init__(hidden, z_dim, dropout)
        self.modality_embedding = nn.Parameter(torch.randn(3, hidden) * 0.02)
        self.encoder = nn.TransformerEncoderLayer(hidden, heads, 2 * hidden, dropout, batch_first=True, norm_first=True)
        self.query = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
        self.pool = nn.MultiheadAttention(hidden, heads, dropout=0.0, batch_first=True)
        self.out = nn.Linear(hidden, z_dim)

    def fuse(self, h, mask):
        padding = mask == 0
        tokens = torch.stack(h, 1) + self.modality_embedding
        # With every token masked, attention has nothing to read: keep the math finite.
        all_masked = padding.all(-1, keepdim=True)
        padding = padding & ~all_masked
        tokens = self.encoder(tokens, src_key_padding_mask=padding)
        tokens = tokens * mask.unsqueeze(-1)  # a masked slot is never seen, whatever it holds
        pooled, weights = self.pool(self.query.expand(len(tokens), -1, -1), tokens, tokens,
                                    key_padding_mask=padding, need_weights=True)
        return self.out(pooled.squeeze(1)), weights.squeeze(1).detach()
