"""Product copy from a prompted language model: title, description, bullets; keywords extracted.

The prompt holds only what the merchant gave plus what the photos measurably show (dominant
colour names), and asks the model to stay within those facts. Re-ranking and grounding
checks downstream catch what it invents anyway.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Iterator

from engine.core.settings import Settings

# A catalog page's store lines ("Flipkart.com: Buy ... online only for Rs."): the shop talking, not a fact
# about the product; neither a bullet nor a sentence of the description.
SHOP_TALK = re.compile(r"flipkart|\bonline|\bshop|\bbuy\b|\bprice|\brs\.|cash on delivery|free shipping", re.I)

FIELDS = ("title", "description", "bullets")

TONES = {
    "neutral": "clear and factual",
    "friendly": "warm and friendly",
    "premium": "refined and premium",
    "playful": "upbeat and playful",
    "technical": "precise and technical",
}


@dataclass
class Copy:
    title: str = ""
    description: str = ""
    bullets: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def text_of(self, kind: str) -> str:
        value = getattr(self, kind)
        if kind == "bullets":
            return "\n".join(value)
        if kind == "keywords":
            return ", ".join(value)
        return value


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SENTENCE_STOP = re.compile(r"[.!?](?=\s)")


def facts_block(ingested, photo_colours: list[str] = (), hide: tuple[str, ...] = (),
                short_description: bool = False) -> str:
    """The product facts the model may use, one per line. ``hide`` drops fields (evaluation).

    ``short_description`` puts only the description's first sentence near the top: it usually
    names the product, which is what a title needs, for a fraction of the tokens."""
    product = ingested.product
    lines = []
    show_description = bool(product.description) and "description" not in hide
    if product.title and "title" not in hide:
        lines.append(f"Draft title: {product.title}")
    if product.brand:
        lines.append(f"Brand: {product.brand}")
    if product.category:
        lines.append(f"Category: {product.category}")
    if show_description and short_description:
        first = SENTENCE_END.split(product.description.strip(), maxsplit=1)[0]
        lines.append(f"Merchant's description: {cut_at_word(first, 160)}")
    for key, value in ingested.attributes.items():
        # "sale: No", "new: No": catalog flags that say nothing a shopper reads
        if key.lower() != "brand" and value.strip().lower() not in ("no", "false", "0"):
            lines.append(f"{key}: {value}")
    if product.price:
        lines.append(f"Price: {product.price:g} {product.currency}".rstrip())
    if photo_colours:
        lines.append(f"Colours seen in the photos: {', '.join(photo_colours)}")
    if product.bullets and "bullets" not in hide:
        lines.append("Notes: " + " ".join(product.bullets))
    if show_description and not short_description:
        lines.append(f"Merchant's description: {cut_at_word(product.description, 400)}")
    return "\n".join(lines) if lines else "(no text given)"


def build_messages(kind: str, ingested, settings: Settings, photo_colours: list[str] = (),
                   hide: tuple[str, ...] = ()) -> list[dict]:
    limits = settings.limits
    tone = TONES[settings.tone]
    ask = {
        "title": f"Write one product title of at most {min(limits.title_max, 90)} characters. "
                 "Reply with the title only.",
        "description": f"Write a product description of 2 to 4 sentences (at most {limits.description_max} characters). "
                       "Reply with the description only.",
        "bullets": "Write 4 short bullet points, one per line, each starting with '- '. "
                   "Reply with the bullet points only.",
    }[kind]
    system = (f"You write {tone} product copy for {limits.label}, for {settings.audience}. "
              "Use only the given facts; never invent numbers, sizes, colours or materials.")
    # A title needs the name and key attributes, not the whole story; a shorter prompt also
    # streams its first word sooner.
    if kind == "title":
        hide = (*hide, "bullets")
    facts = facts_block(ingested, photo_colours, hide, short_description=kind == "title")
    user = f"Product facts:\n{facts}\n\n{ask}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


MAX_TOKENS = {"title": 32, "bullets": 110}
# Least tokens per description length: "standard" (48 tokens, about 35 words) is near the median of
# the Luma references (51) and the lower quartile of the Flipkart ones (62), training splits both.
MIN_TOKENS = {"short": 0, "standard": 48, "long": 96}


def token_budget(kind: str, settings: Settings) -> tuple[int, int]:
    """(least, most) new tokens for one field; the least never exceeds the most."""
    most = min(MAX_TOKENS.get(kind, settings.max_new_tokens), settings.max_new_tokens)
    least = MIN_TOKENS[settings.description_length] if kind == "description" else 0
    return min(least, most), most


_PREFIX = re.compile(r"^\s*(product\s+)?(title|description|bullets?)\s*:\s*", re.I)


def to_last_sentence(text: str) -> str:
    """Text the token budget cut mid-sentence, ended at its last full sentence ("2.5 kg" is no
    end); text without a full sentence stays as it is."""
    ends = [m.end() for m in _SENTENCE_STOP.finditer(text + " ")]
    if text and text[-1] not in ".!?" and ends:
        return text[: ends[-1]].strip()
    return text


def cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:- ")


# Small models often answer "The X is perfect for..." when asked for a title: keep the name part.
_SENTENCE_TAIL = re.compile(r"\s+(?:is|are|has|have|will|can|offers|provides|brings|makes|features)\s+.*$"
                            r"|\s+[-–—]\s+(?:a|an|the|your)\s+.*$|[!?].*$|\.\s.*$", re.I)
_LEAD_IN = re.compile(r"^(?:the|introducing|meet|draft)\s+", re.I)


def clean_title(raw: str, limit: int) -> str:
    line = next((l for l in raw.strip().splitlines() if l.strip()), "")
    line = _PREFIX.sub("", line).strip().strip('"“”*#').strip()
    line = _LEAD_IN.sub("", _SENTENCE_TAIL.sub("", line)).strip(" ,;:-")
    line = line[:1].upper() + line[1:]
    return cut_at_word(line.rstrip("."), limit)


def clean_description(raw: str, limit: int) -> str:
    text = _PREFIX.sub("", raw.strip())
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = cut_at_word(text, limit)
    return to_last_sentence(text)


def clean_bullets(raw: str, limit: int, most: int = 5) -> list[str]:
    """One bullet per line; a small model that answers with a paragraph instead gets one bullet
    per sentence, and a last sentence cut off by the token budget is dropped."""
    lines = [l for l in raw.splitlines() if l.strip()]
    if len(lines) == 1 and len(SENTENCE_END.split(lines[0].strip())) > 1:
        sentences = SENTENCE_END.split(lines[0].strip())
        lines = sentences if sentences[-1].rstrip()[-1:] in ".!?" else sentences[:-1]
    bullets = []
    for line in lines:
        line = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s*", "", line).strip()
        line = _PREFIX.sub("", line).strip()
        line = to_last_sentence(line)  # "... for any fitness fan. Whether": the token budget ran out
        if len(line) >= 3 and line.lower() not in {b.lower() for b in bullets}:
            bullets.append(cut_at_word(line, limit))
    return bullets[:most]


def clean(kind: str, raw: str, settings: Settings):
    limits = settings.limits
    if kind == "title":
        return clean_title(raw, limits.title_max)
    if kind == "description":
        return clean_description(raw, limits.description_max)
    return clean_bullets(raw, limits.bullet_max, limits.bullets_max)


def stream_field(lm, kind: str, ingested, settings: Settings, photo_colours: list[str] = (),
                 prefix_embeds=None, hide: tuple[str, ...] = (), seed_offset: int = 0) -> Iterator[str]:
    """Yield the raw text of one field as it grows."""
    messages = build_messages(kind, ingested, settings, photo_colours, hide)
    from engine.copywriting.grounded import finish, processor_for

    grounded = processor_for(settings, lm.tokenizer, [(ingested.source_text(), list(photo_colours))])
    least, most = token_budget(kind, settings)
    text = ""
    for piece in lm.stream(
        messages,
        max_new_tokens=most,
        min_new_tokens=least,
        temperature=settings.temperature,
        top_p=settings.top_p,
        seed=settings.seed + seed_offset,
        prefix_embeds=prefix_embeds,
        stop_at_newline=kind == "title",
        logits_processor=grounded,
    ):
        text += piece
        yield text
    if grounded is not None and grounded.cut_rows:
        yield finish(grounded, [text])[0]
