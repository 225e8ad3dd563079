"""What a photo shows (as an ImageNet classifier names it) and whether an input is enough to
write honest copy from.

EfficientNet-Lite0, the model that already encodes every photo, carries its ImageNet
classifier head: ``engine.encoders.image.classify_images`` gives 1000 class probabilities.
ImageNet classes are near-misses for products (a wrist watch is an "analog clock", a bedsheet
a "quilt" or a "studio couch"), so a label is a *suggestion*: it never reaches the prompt, the
grounding check or the history until the merchant confirms it, which in the studio means one
click that adds a visible, editable attribute row ``Product type | bath towel``.

Threshold: ``CONFIDENT = 0.4`` (softmax probability of a class), measured on 228 real catalog
photos (every third product of ../shared/data/flipkart-train, one photo each). As a rough
"is it right" proxy, count a top-1 label as a hit when one of its words appears in the
product's title or category path. Below 0.4 the hit rate is chance (0.0-0.1: 8 %, 0.1-0.2:
5 %, 0.2-0.3: 14 %, 0.3-0.4: 9 %; "stopwatch" for a sports watch, "wool" for a baby dress);
from 0.4 it jumps (0.4-0.5: 33 %, 0.5-0.7: 40 %, 0.7-1: 52 %; the proxy undercounts, since
"quilt" for a bedsheet and "analog clock" for a wrist watch are useful but share no word).
At 0.4, 44 % of photos get a suggestion (bath towels 0.68-0.77, wrist watches 0.46-0.86 as
"analog clock", mugs 0.92-0.98). With a softmax at most two classes can pass 0.4, so "the top
few" is at most two per photo.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from functools import lru_cache

from PIL import Image

CONFIDENT = 0.4   # see the module docstring for how it was chosen
MAX_LABELS = 3    # per photo; a softmax lets at most 2 pass 0.4 anyway
_KEEP = 5         # classes cached per photo, so a lower threshold needs no second pass
_CACHE_SIZE = 256

_cache: OrderedDict[tuple[str, str], list[tuple[int, float]]] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names (offline, shipped with torchvision)."""
    from torchvision.models import EfficientNet_B0_Weights

    return list(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["categories"])


def _key(image: Image.Image, device: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest(), device


def photo_labels(images: list[Image.Image], device: str = "auto", threshold: float = CONFIDENT,
                 top: int = MAX_LABELS) -> list[list[tuple[str, float]]]:
    """For each image, its confident ImageNet labels: ``[(label, probability), ...]``, most
    likely first, at most ``top``, each with probability >= ``threshold`` (maybe none).

    Cached by pixel content (sha256 of the decoded image, ~3 ms for a 1024 px photo against
    ~50 ms for a forward pass on a CPU), so re-ingesting the same photo costs no model call.
    """
    from engine.encoders.image import classify_images

    keys = [_key(im, device) for im in images]
    with _lock:
        known = {k: _cache[k] for k in keys if k in _cache}
        for k in known:
            _cache.move_to_end(k)
    todo: dict = {}  # key -> image, each distinct photo once
    for k, im in zip(keys, images):
        if k not in known:
            todo.setdefault(k, im)
    todo = list(todo.items())
    if todo:
        probabilities = classify_images([im for _, im in todo], device)
        values, indices = probabilities.topk(_KEEP, dim=-1)
        with _lock:
            for (k, _), v, i in zip(todo, values.tolist(), indices.tolist()):
                known[k] = _cache[k] = list(zip(i, v))
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    names = imagenet_categories()
    return [[(names[i], round(p, 4)) for i, p in known[k] if p >= threshold][:top] for k in keys]


def enough_to_write(ingested) -> bool:
    """Is there enough to write honest copy from? True when the merchant said what the product
    is: a title, a description, bullet points, or at least one attribute (a confirmed photo
    label arrives as the attribute ``Product type``).

    A photo alone is too little: the image model only knows 1000 ImageNet classes, so the
    language model would invent the product, its brand, material and size. A category or a
    brand alone (or both) is too little for the same reason: "Home Furnishing > Bath Linen" names
    a shelf, not the thing on it, and the model fills in the rest.
    """
    product = ingested.product
    return bool(product.title.strip() or product.description.strip() or product.bullets or ingested.attributes)


def format_suggestions(suggestions: list[dict], limit: int = 2) -> str:
    """``bath towel (0.77), wool (0.41)``"""
    return ", ".join(describe(s) for s in suggestions[:limit])


def describe(suggestion: dict) -> str:
    """"bath towel (0.77)" for a label; "colour black, silver (measured)" for the photo's colours."""
    if suggestion.get("confidence") is None:
        return f"{suggestion.get('attribute', 'colour').lower()} {suggestion['label']} (measured)"
    return f"{suggestion['label']} ({suggestion['confidence']:.2f})"


def missing_input_message(ingested, suggestions: list[dict]) -> str:
    """What to add before copy can be written, with what the photo seems to show (a question)."""
    product = ingested.product
    given = [name for name, value in (("category", product.category), ("brand", product.brand)) if value.strip()]
    start = (f"A {' and a '.join(given)} alone {'are' if len(given) > 1 else 'is'} too little to write honest copy from. "
             if given else "Too little to write honest copy from a photo alone. ")
    message = start + "Add a title or a few facts (what it is, brand, material, size) before copy can be written"
    labels = [s for s in suggestions if s.get("confidence") is not None]
    colours = [s for s in suggestions if s.get("confidence") is None]
    if labels:
        message += f"; the photo looks like: {format_suggestions(labels)}, use it?"
    elif ingested.photos:
        message += "; the photo did not look enough like anything the image model knows to suggest what it is."
    else:
        message += "."
    if colours:
        message += f" Its colours measure {colours[0]['label']}: add them as an attribute if they are right."
    return message
