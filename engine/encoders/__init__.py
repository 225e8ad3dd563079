"""Per-modality encoders: MiniLM for text, EfficientNet-Lite0 for photos and video frames."""
from engine.encoders.features import ModalityFeatures, MODALITIES, encode_product

__all__ = ["ModalityFeatures", "MODALITIES", "encode_product"]
