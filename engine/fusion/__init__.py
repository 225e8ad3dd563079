"""Fusion methods: per-modality features + masks -> Z and per-modality contributions.

``create_fusion(name)`` builds one; ``FUSION_METHODS`` lists what is registered. Importing
this package registers every method (one module each).
"""
from engine.fusion.base import FusionBase, FusionOutput
from engine.fusion.registry import FUSION_METHODS, create_fusion, register_fusion
from engine.fusion import attention, concat, film, gmu, lmf, sum, tfn  # noqa: F401  (registration)

__all__ = ["FusionBase", "FusionOutput", "FUSION_METHODS", "create_fusion", "register_fusion"]
