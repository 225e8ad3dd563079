"""Fusion methods created by name, like ``timm.create_model``: one file + one decorator each."""
from __future__ import annotations

from typing import Callable

from engine.core.errors import StudioError
from engine.fusion.base import FusionBase

FUSION_METHODS: dict[str, dict] = {}


def register_fusion(name: str, label: str, explanation: str) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        FUSION_METHODS[name] = {"name": name, "label": label, "explanation": explanation, "cls": cls}
        cls.method_name = name
        return cls

    return wrap


def create_fusion(name: str, **kwargs) -> FusionBase:
    """``create_fusion("gmu", hidden=256, z_dim=256)``."""
    if name not in FUSION_METHODS:
        raise StudioError(f"unknown fusion method {name!r} (accepted: {', '.join(FUSION_METHODS)})")
    return FUSION_METHODS[name]["cls"](**kwargs)
