"""Fusion methods: shapes, masks, gradients and contributions, for every registered method."""
from __future__ import annotations

import pytest
import torch

from engine.encoders.features import DIMS, MODALITIES
from engine.fusion import FUSION_METHODS, create_fusion
from engine.core.errors import StudioError

METHODS = sorted(FUSION_METHODS)


def _batch(batch: int = 4, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return {m: torch.randn(batch, DIMS[m], generator=generator) for m in MODALITIES}


def test_registry_holds_the_issue_methods():
    assert {"concat", "sum", "tfn", "lmf", "gmu", "attention", "film"} <= set(FUSION_METHODS)
    with pytest.raises(StudioError, match="accepted"):
        create_fusion("nope")


@pytest.mark.parametrize("name", METHODS)
def test_shapes_and_contributions_sum_to_one(name):
    torch.manual_seed(0)
    fusion = create_fusion(name, hidden=32, z_dim=16).eval()
    mask = torch.tensor([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0]], dtype=torch.bool)
    out = fusion(_batch(), mask)
    assert out.z.shape == (4, 16)
    assert out.contributions.shape == (4, 3)
    torch.testing.assert_close(out.contributions.sum(-1), torch.ones(4))
    assert (out.contributions >= 0).all()
    assert (out.contributions[~mask] == 0).all(), "a missing modality cannot contribute"
    assert out.contributions[3, 1] == pytest.approx(1.0)
    assert set(out.contribution_dict(0)) == set(MODALITIES)


@pytest.mark.parametrize("name", METHODS)
def test_masked_modality_changes_nothing(name):
    torch.manual_seed(0)
    fusion = create_fusion(name, hidden=32, z_dim=16).eval()
    mask = torch.tensor([[1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=torch.bool)
    features = _batch(3)
    other = {m: v.clone() for m, v in features.items()}
    for row, column in ((0, 2), (1, 1), (2, 0)):  # scramble exactly the masked slot of each row
        name_ = MODALITIES[column]
        other[name_][row] = torch.randn(DIMS[name_]) * 10
    a, b = fusion(features, mask), fusion(other, mask)
    torch.testing.assert_close(a.z, b.z)
    torch.testing.assert_close(a.contributions, b.contributions)
    # ...while a present modality does change Z
    other["text"][0] = torch.randn(DIMS["text"])  # not a constant shift: LayerNorm removes those
    assert not torch.allclose(fusion(other, mask).z[0], a.z[0])


@pytest.mark.parametrize("name", METHODS)
def test_gradients_reach_every_present_modality(name):
    torch.manual_seed(0)
    fusion = create_fusion(name, hidden=32, z_dim=16).train()
    features = {m: v.requires_grad_(True) for m, v in _batch(2).items()}
    mask = torch.tensor([[1, 1, 1], [1, 1, 1]], dtype=torch.bool)
    fusion(features, mask).z.pow(2).sum().backward()
    for m in MODALITIES:
        assert features[m].grad is not None and features[m].grad.abs().sum() > 0, m
    trained = [p for p in fusion.parameters() if p.grad is not None and p.grad.abs().sum() > 0]
    assert len(trained) >= len(list(fusion.parameters())) // 2


def test_gmu_and_attention_report_native_weights():
    torch.manual_seed(0)
    mask = torch.ones(1, 3, dtype=torch.bool)
    for name in ("gmu", "attention"):
        out = create_fusion(name, hidden=32, z_dim=16).eval()(_batch(1), mask)
        assert 0 < out.contributions.min() and out.contributions.max() < 1
