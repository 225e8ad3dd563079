"""What a merchant gives us for one product, in the catalog shape of ../shared/data."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Product(BaseModel):
    """Raw product input. Every field is optional, but a product needs text or a photo."""

    model_config = ConfigDict(extra="ignore")

    id: str = ""
    title: str = Field("", description="the merchant's draft title")
    description: str = Field("", description="draft description or free notes")
    bullets: list[str] = []
    category: str = ""
    brand: str = ""
    attributes: dict[str, Any] = {}
    price: float | None = None
    currency: str = ""
    images: list[str] = Field([], description="paths of photos (JPEG, PNG, WebP)")
    videos: list[str] = Field([], description="paths of clips (mp4, mov, webm)")

    @model_validator(mode="after")
    def _needs_text_or_image(self) -> "Product":
        has_text = any(
            [self.title.strip(), self.description.strip(), self.bullets, self.attributes, self.category]
        )
        if not has_text and not self.images:
            raise ValueError("a product needs at least some text (title, description, bullets, "
                             "attributes) or one photo")
        return self

    @classmethod
    def from_record(cls, record: dict[str, Any], base_dir: Path | str = ".") -> "Product":
        """Build from one catalog line; relative media paths resolve against ``base_dir``."""
        base = Path(base_dir)
        record = dict(record)
        if isinstance(record.get("category_path"), list) and record["category_path"]:
            record["category"] = " > ".join(record["category_path"])
        price = record.get("price")
        if isinstance(price, dict):  # flipkart: {"retail_inr": ..., "discounted_inr": ...}
            value = price.get("discounted_inr") or price.get("retail_inr")
            record["price"], record["currency"] = value, "INR"
        elif "price_usd" in record and price is None:
            record["price"], record["currency"] = record["price_usd"], "USD"
        for key in ("images", "videos"):
            record[key] = [str(p if Path(p).is_absolute() else base / p) for p in record.get(key) or []]
        attributes = record.get("attributes") or {}
        record["attributes"] = {k: v for k, v in attributes.items() if v not in (None, "", [])}
        if record.get("brand") is None:
            record["brand"] = ""
        return cls.model_validate(record)

    @classmethod
    def from_json_file(cls, path: Path | str) -> "Product":
        path = Path(path)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path.name}: not a readable product JSON file ({exc})") from exc
        return cls.from_record(record, path.parent)

    def attribute_lines(self) -> list[str]:
        """Attributes as ``key: value`` lines (lists joined with commas, ``_other`` skipped)."""
        lines = []
        for key, value in self.attributes.items():
            if key.startswith("_"):
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            lines.append(f"{key.replace('_', ' ')}: {value}")
        return lines


def load_catalog(path: Path | str, limit: int | None = None) -> list[Product]:
    """Read a catalog JSONL (one product per line, media paths relative to the file)."""
    path = Path(path)
    products = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                products.append(Product.from_record(json.loads(line), path.parent))
            except (json.JSONDecodeError, ValueError) as exc:
                raise ValueError(f"{path.name} line {number}: {exc}") from exc
            if limit and len(products) >= limit:
                break
    return products
