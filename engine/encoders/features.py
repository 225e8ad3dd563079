"""Encode an ingested product into one pooled feature vector per modality, plus a mask."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch

from engine.encoders.image import IMAGE_DIM, encode_images
from engine.encoders.text import TEXT_DIM, encode_texts

MODALITIES = ("text", "image", "video")
DIMS = {"text": TEXT_DIM, "image": IMAGE_DIM, "video": IMAGE_DIM}


@dataclass
class ModalityFeatures:
    text: torch.Tensor  # (384,)  mean MiniLM embedding of the product's text pieces
    image: torch.Tensor  # (1280,) mean EfficientNet features over photos
    video: torch.Tensor  # (1280,) mean over video keyframes (pooled over time)
    mask: torch.Tensor  # (3,) bool, which of text / image / video are present

    def as_batch(self) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Batch of one, the shape fusion methods take."""
        return {m: getattr(self, m).unsqueeze(0) for m in MODALITIES}, self.mask.unsqueeze(0)

    def present(self) -> list[str]:
        return [m for m, on in zip(MODALITIES, self.mask.tolist()) if on]


def text_pieces(ingested) -> list[str]:
    product = ingested.product
    pieces = [product.title, product.description, *product.bullets, product.category]
    pieces += [f"{k}: {v}" for k, v in ingested.attributes.items()]
    return [p for p in pieces if p and p.strip()]


def _pool(vectors: torch.Tensor, dim: int) -> tuple[torch.Tensor, bool]:
    if len(vectors) == 0:
        return torch.zeros(dim), False
    return vectors.mean(0), True


# Regenerating or switching fusion method must not re-encode: cache by content hash.
_CACHE: "OrderedDict[tuple, ModalityFeatures]" = OrderedDict()
_CACHE_SIZE = 64


def encode_product(ingested, device: str = "auto", precision: str | None = None) -> ModalityFeatures:
    """``precision``: the text encoder's (None: the process default, ``engine.models.language.default_precision``)."""
    key = (ingested.content_hash(), device, precision)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    text, has_text = _pool(encode_texts(text_pieces(ingested), device, precision), TEXT_DIM)
    image, has_image = _pool(encode_images([p.image for p in ingested.photos], device), IMAGE_DIM)
    video, has_video = _pool(encode_images([k.image for k in ingested.keyframes], device), IMAGE_DIM)
    features = ModalityFeatures(text, image, video, torch.tensor([has_text, has_image, has_video]))
    _CACHE[key] = features
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return features


def encoder_cache_info() -> dict:
    return {"entries": len(_CACHE), "capacity": _CACHE_SIZE}
