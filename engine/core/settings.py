"""One frozen settings object that flows end to end and is stored with every result.

Everything that changes an output lives here, seed included, so any result can be
reproduced (same settings -> same output) and restored from history.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Tone = Literal["neutral", "friendly", "premium", "playful", "technical"]
DescriptionLength = Literal["short", "standard", "long"]
NAME_MAX = 80  # model, method, style, palette and layout names are short keys


class PlatformLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    title_max: int
    description_max: int
    bullet_max: int = 250
    bullets_max: int = 5


# Character limits as the platforms document them for product listings.
PLATFORMS: dict[str, PlatformLimits] = {
    "generic": PlatformLimits(label="Generic web shop", title_max=150, description_max=2000),
    "amazon": PlatformLimits(label="Amazon", title_max=200, description_max=2000, bullet_max=500),
    "shopify": PlatformLimits(label="Shopify (SEO title)", title_max=70, description_max=320),
    "etsy": PlatformLimits(label="Etsy", title_max=140, description_max=2000),
    "ebay": PlatformLimits(label="eBay", title_max=80, description_max=1000),
    "google": PlatformLimits(label="Google Shopping", title_max=150, description_max=5000),
}


def default_fusion() -> str:
    from engine.conditioning import best_method  # late: checkpoints are read when a default is needed

    return best_method() or "none"


class Settings(BaseModel):
    """Every knob of a generation. Frozen: derive variants with ``settings.replace(...)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # copy
    tone: Tone = "neutral"
    audience: str = Field("everyday shoppers", max_length=120)
    # One of PLATFORMS (a Literal, so a bad name is refused with the list of accepted ones).
    platform: Literal[tuple(PLATFORMS)] = "generic"  # type: ignore[valid-type]
    # allow_inf_nan=False: a NaN is then refused as "not a finite number", not as "over the maximum".
    temperature: float = Field(0.7, ge=0.0, le=2.0, allow_inf_nan=False)
    top_p: float = Field(0.9, gt=0.0, le=1.0, allow_inf_nan=False)
    max_new_tokens: int = Field(160, ge=8, le=1024)
    # The least a description runs to (engine/copywriting/copy.py MIN_TOKENS): "short" lets the model stop
    # where it likes, which for a fusion model can be a bare "name - size" line.
    description_length: DescriptionLength = "standard"
    seed: int = Field(0, ge=0, le=2**31 - 1)
    language_model: str = Field("smollm2-135m", max_length=NAME_MAX)
    # The method that won on validation (engine.conditioning.best_method), the same default for the
    # studio, the CLI, the API and Python; "none" (zero-shot prompt) when no method is trained.
    fusion: str = Field(default_factory=lambda: default_fusion(), max_length=NAME_MAX)
    candidates: int = Field(1, ge=1, le=8)
    # "Only facts from my input": the LM may only write numbers, colours and materials the input holds
    # (engine/copywriting/grounded.py) and words the input or the house vocabulary license (licence.py).
    grounded_decoding: bool = True

    # creatives
    style: str = Field("studio", max_length=NAME_MAX)
    palette: str = Field("auto", max_length=NAME_MAX)
    layout: str = Field("classic", max_length=NAME_MAX)
    photo_index: int = Field(0, ge=0, le=99)  # past the last photo means the last one (engine.pipeline)
    price: str = Field("", max_length=32)
    call_to_action: str = Field("", max_length=40)
    narration: bool = False

    def replace(self, **changes) -> "Settings":
        return self.model_validate({**self.model_dump(), **changes})

    @property
    def limits(self) -> PlatformLimits:
        return PLATFORMS[self.platform]
