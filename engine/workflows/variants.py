"""Audience variants: the same product's copy and ad images, one variant per shopper segment.

A segment is who the ad speaks to and what those shoppers look for ("students": price, weight,
size; "parents": care, safety, durability). A variant does not say anything new to them: it picks,
from the merchant's own facts (the content plan's attributes, the merchant's sentences, the price),
the ones that segment cares about and leads with them. Why facts and not a language model: a variant
is the same product told to another shopper, so the only things that may change are the order, the
hook and the framing, and a reordered fact cannot be a false claim. The facts are written as prose by
the sentence realiser's verb phrases (``engine.copywriting.realise.phrase_for``), the same ones every
description uses, never as ``key: value`` lines. Every text still goes through the claim check
(``engine.scores.claims``): a hooked text it flags is replaced by the plain fact-built one.

Free-text segments ("remote workers who travel") are matched against the facts by the MiniLM
encoder the studio already ships (cosine similarity) plus word overlap, so "travel" finds
``activity: Travel`` and "laptop bag for the office" finds "Laptop Sleeve".
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

# Fact is read from here too (deprecated: import it from engine.copywriting.plan)
from engine.copywriting.plan import Fact, plan_content, price_fact
from engine.copywriting.realise import Phrase, phrase_for
from engine.copywriting.segment_copy import (bullet_text, check_text, fact_sentences, hook_sentence,  # noqa: F401
                                             hooked_title, the_name)
from engine.ingest import Ingested

# Flipkart's sales pitch in descriptions ("Buy ... Cash On Delivery!"): not a fact about the product.
_BOILERPLATE = re.compile(r"\bbuy\b.{0,400}?\bcash on delivery\b!?|\bonly genuine products\b|\bfree shipping\b"
                          r"|\bflipkart\.com\b|\bgreat discounts\b|\b\d+ day replacement guarantee\b", re.I | re.S)
# Flipkart's listing headers: the title repeated with a price cut off ("Key Features of ... Price: Rs.").
_LISTING = re.compile(r"^key features of\b|\bprice: rs\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
# A spec line ("Type: Mug", "Date display: yes, day and date"): what no variant field may read like.
KEY_VALUE = re.compile(r"\b[A-Z][A-Za-z ]+: \S")
# A phrase that ends on one of these lost its object ("has a door designed for"): not said at all.
_DANGLING = frozenset("a an the and or of for with in on to by from at as".split())
SEMANTIC_WEIGHT = 2.0  # one strong encoder match (cosine ~0.5) counts about as much as one shared word


@dataclass(frozen=True)
class Segment:
    key: str
    label: str          # shown in the studio and written in the hook ("For students")
    cares: tuple[str, ...]  # words matched against a fact's attribute name and text
    call_to_action: str  # drawn on the ad images; each one passes the claim check on its own
    hook: str = ""      # the title hook; "For <label>" when empty
    # Frames the description's first facts ("For busy family life, it ..."). Only words that say
    # nothing about the product, so it needs no fact behind it and passes the claim check anywhere.
    lead_in: str = ""

    @property
    def title_hook(self) -> str:
        return self.hook or f"For {self.label.lower()}"

    @property
    def framing(self) -> str:
        # a free-text segment is already named in the hook sentence; "For <label>" again would echo it
        return self.lead_in or "Above all"


# What each preset cares about, in words a merchant's facts use (attribute names and values).
PRESETS: dict[str, Segment] = {s.key: s for s in (
    Segment("students", "Students", ("price", "lightweight", "light", "compact", "portable", "laptop", "pocket",
                                      "pockets", "size", "sizes", "backpack", "class", "study", "casual", "value",
                                      "pack", "digital", "alarm"), "Order now",
            lead_in="For the semester ahead"),
    Segment("parents", "Parents", ("care", "wash", "washable", "machine", "durable", "safe", "safety", "kids",
                                   "boys", "girls", "baby", "soft", "cotton", "easy", "clean", "warranty",
                                   "sales", "package", "pack", "water", "resistant"), "Learn more",
            lead_in="For busy family life"),
    Segment("gift-buyers", "Gift buyers", ("gift", "occasion", "party", "wedding", "festive", "colour", "color",
                                           "colors", "design", "pattern", "style", "box", "dial", "elegant",
                                           "available", "women", "men"), "Order now", hook="A gift idea",
            lead_in="For the person you have in mind"),
    Segment("professionals", "Professionals", ("warranty", "quality", "material", "leather", "steel", "metal",
                                               "office", "formal", "work", "laptop", "analog", "chronograph",
                                               "model", "performance", "organizational", "type"), "Learn more",
            lead_in="For the work week"),
    Segment("athletes", "Athletes", ("performance", "moisture", "wicking", "sport", "sports", "running", "gym",
                                     "yoga", "training", "breathable", "climate", "lightweight", "activity",
                                     "water", "resistant", "shock", "fit", "stretch", "fabric"), "Buy now",
            lead_in="For training days"),
    Segment("eco-minded", "Eco-minded shoppers", ("eco", "organic", "recycled", "natural", "cotton", "bamboo",
                                                  "sustainable", "collection", "wool", "jute"), "Learn more",
            lead_in="For those who choose with care"),
    Segment("travellers", "Travellers", ("travel", "overnight", "lightweight", "compact", "waterproof", "water",
                                         "resistant", "strap", "pockets", "portable", "size", "weight"), "Buy now",
            lead_in="For the trip ahead"),
)}


@dataclass
class Variant:
    segment: str                  # the segment's key
    label: str
    title: str
    description: str
    bullets: list[str]
    call_to_action: str
    lead_facts: list[str]         # the facts it leads with, most relevant first
    checks: dict = field(default_factory=dict)  # field -> {"ok", "flagged"}; see check_variant
    fallbacks: list[str] = field(default_factory=list)  # fields whose hooked text failed the check

    def to_dict(self) -> dict:
        return asdict(self)


# -- segments --------------------------------------------------------------------------------------

def _stem(word: str) -> str:
    """A plural and its singular match ("pockets" ~ "pocket"); good enough for short fact words."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def free_segment(text: str) -> Segment:
    """A segment typed by the merchant: its own words are what it cares about."""
    text = " ".join(text.split())[:60]
    if not text:
        raise ValueError("a segment needs a name, e.g. students or 'remote workers who travel'")
    key = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "segment"
    from engine.copywriting.keywords import STOP_WORDS

    cares = tuple(w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS)
    return Segment(key, text[:1].upper() + text[1:], cares, "Learn more")


def resolve_segments(names) -> list[Segment]:
    """Preset keys or labels ("students", "Gift buyers") and free text, in order, without repeats.
    ``names`` is a list or one comma-separated string."""
    if isinstance(names, str):
        names = names.split(",")
    by_label = {s.label.lower(): s for s in PRESETS.values()}
    out: dict[str, Segment] = {}
    for name in names:
        name = " ".join(str(name).split())
        if not name:
            continue
        wanted = name.lower().replace(" ", "-")
        segment = PRESETS.get(wanted) or PRESETS.get(wanted + "s") or by_label.get(name.lower()) or free_segment(name)
        out.setdefault(segment.key, segment)
    if not out:
        raise ValueError(f"name at least one segment (presets: {', '.join(PRESETS)}, or free text)")
    return list(out.values())


# -- facts -----------------------------------------------------------------------------------------

def _sayable(phrase: Phrase | None) -> bool:
    """A phrase copy can use: not a spec line in disguise ("has a date display: yes, day and date")
    and not cut short ("has a door designed for")."""
    if phrase is None or ": " in phrase.rest or not phrase.rest.strip():
        return False
    return phrase.rest.split()[-1].lower() not in _DANGLING


def _care_sentence(fact: Fact) -> str:
    """A long care value is an instruction already ("Machine wash cold, do not bleach"): it is written
    as the merchant gave it, as the realiser's "cared for as follows: ..." would read as a spec line."""
    value = fact.value.strip().rstrip(".")
    return value[:1].upper() + value[1:] + "."


def _price_fact(product) -> Fact | None:
    """The plan leaves the price out of descriptions, but students and value shoppers ask for it first."""
    planned = price_fact(product)
    if planned is None:
        return None
    return replace(planned, phrase=Phrase("is", "are", f"priced at {planned.value}", planned))


def product_facts(ingested: Ingested) -> list[Fact]:
    """Every fact the content plan states, once each, in the plan's order (what a shopper looks for
    first), then the merchant's own sentences and the price: each an ``engine.copywriting.plan.Fact``
    with the ``phrase`` copy states it in, or the ``sentence`` written whole."""
    plan = plan_content(ingested)
    product = ingested.product
    facts: list[Fact] = []
    for planned in plan.facts:
        phrase = phrase_for(planned)
        if _sayable(phrase):
            facts.append(replace(planned, phrase=phrase))
        elif planned.role == "care" and phrase is not None:
            facts.append(replace(planned, sentence=_care_sentence(planned)))
    bullets = {b.strip().rstrip(".") for b in product.bullets}
    name_words = set(_WORD.findall(plan.name.lower()))
    for note in plan.notes:
        note = " ".join(note.split()).lstrip("-•*– ")  # Flipkart marks list items in running text
        note = note if note[-1:] in ".!?" else note + "."
        # a listing that only repeats the title ("Skmei ... Watch - For Men, Boys.") says nothing new,
        # a "Key: value" line is a spec table, and Flipkart's sales pitch is no fact about the product
        if set(_WORD.findall(note.lower())) <= name_words or KEY_VALUE.search(note) or \
                _BOILERPLATE.search(note) or _LISTING.search(note):
            continue
        facts.append(Fact("note", "", "", note, kind="bullet" if note.rstrip(".") in bullets else "description",
                          sentence=note))
    price = _price_fact(product)
    if price:
        facts.append(price)
    # A merchant's sentence can contradict their own attributes ("wicking fabric" beside "Performance
    # fabric: No"): a fact the claim check flags on its own, as written, is left out of every variant.
    source = ingested.source_text()
    pronoun = plan.pronoun()
    seen, unique = set(), []
    for fact in facts:
        norm = " ".join(_WORD.findall(fact.text.lower()))
        written = fact.sentence or f"{pronoun} {fact.phrase.text(plan.plural)}."
        if norm and norm not in seen and check_text(written, source)["ok"]:
            seen.add(norm)
            unique.append(fact)
    return unique


def relevance(segment: Segment, facts: list[Fact], device: str = "cpu", preset: bool | None = None,
              precision: str | None = None) -> list[float]:
    """How much each fact speaks to the segment: shared words (attribute names count double, as
    "Warranty: 2 years" is about warranty whatever its value) plus, for free-text segments, the
    MiniLM cosine between the segment's words and the fact. A "no" scores nothing."""
    cares = {_stem(w) for w in segment.cares}
    scores = []
    for fact in facts:
        key_words = {_stem(w) for w in _WORD.findall(fact.key.lower().replace("_", " "))}
        text_words = {_stem(w) for w in fact.text_words()}
        # a "no" is stated as a warning, never pitched: "Dishwasher safe: No" matches "safe" for
        # parents, but "For busy family life, it is not dishwasher safe" is no way to open an ad
        scores.append(0.0 if fact.negative else float(len(cares & text_words) + len(cares & key_words)))
    is_preset = segment.key in PRESETS if preset is None else preset
    if not is_preset and facts:
        from engine.encoders.text import encode_texts

        vectors = encode_texts([segment.label] + [f.text for f in facts], device, precision)
        cosine = (vectors[1:] @ vectors[0]).tolist()
        scores = [s + SEMANTIC_WEIGHT * max(0.0, c) * (not f.negative) for s, c, f in zip(scores, cosine, facts)]
    return scores


def rank_facts(segment: Segment, facts: list[Fact], device: str = "cpu", avoid_lead: set[str] = frozenset(),
               shift: int = 0, precision: str | None = None) -> list[tuple[Fact, float]]:
    """Facts most relevant first (ties keep the merchant's order). ``avoid_lead``: facts another
    segment already leads with; one of them moves back when this segment has another relevant fact,
    so two segments lead with different facts wherever the product has them. ``shift`` (regenerate)
    rotates the relevant facts, so a new draft leads with the next one."""
    scores = relevance(segment, facts, device, precision=precision)
    order = sorted(range(len(facts)), key=lambda i: (-scores[i], i))
    ranked = [(facts[i], scores[i]) for i in order]
    relevant = [r for r in ranked if r[1] > 0]
    if shift and len(relevant) > 1:
        k = shift % len(relevant)
        relevant = relevant[k:] + relevant[:k]
    fresh = [r for r in relevant if r[0].text not in avoid_lead]
    if fresh and relevant and relevant[0][0].text in avoid_lead:
        relevant.remove(fresh[0])
        relevant.insert(0, fresh[0])
    return relevant + [r for r in ranked if r[1] <= 0]


# -- writing ---------------------------------------------------------------------------------------

def product_name(ingested: Ingested) -> str:
    """What the product is called in a hook: the merchant's title, else brand + category leaf."""
    product = ingested.product
    if product.title:
        return product.title
    leaf = product.category.replace(">", "/").split("/")[-1].strip()
    return " ".join(w for w in (product.brand, leaf) if w) or "This product"


def write_variant(ingested: Ingested, segment: Segment, ranked: list[tuple[Fact, float]], colours=(),
                  lead: int = 3, most_bullets: int = 5, most_facts: int = 8) -> Variant:
    """Title = hook + name; the description opens with the hook as a sentence, then states the facts
    the segment cares about first, the first two framed by the segment's lead-in; bullets are the
    same facts as short phrases. A hooked field the claim check flags is written again from the
    facts alone ("The Printland Coffee Mug is made of ceramic ...")."""
    from engine.workflows.adsets import spoken_name

    plan = plan_content(ingested)
    source = ingested.source_text()
    name = plan.name or product_name(ingested)
    said = spoken_name(name)  # prose says "the Skmei Sports Digital Watch", not its listing tail and code
    leads = [f for f, score in ranked if score > 0][:lead]
    ordered = [f for f, _ in ranked]
    # a warning ("is not dishwasher safe") comes after the selling points, and always: the cap on
    # how many facts a description states must not drop the one that stops a wrong purchase
    stated = [f for f in ordered if not f.negative][:most_facts] + [f for f in ordered if f.negative]
    bullets = [bullet_text(f, plan.plural) for f in ordered if f.kind in ("attribute", "bullet", "price")]
    plain_body = fact_sentences(stated, plan.plural, first_subject=the_name(said))
    if not any(f.phrase for f in stated):  # nothing names the product yet
        plain_body.insert(0, f"This is {the_name(said)}.")
    plain = {"title": name, "description": " ".join(plain_body), "bullets": bullets[:most_bullets]}
    hooked = {
        "title": hooked_title(segment, name),
        "description": " ".join([hook_sentence(segment, said)]
                                + fact_sentences(stated, plan.plural, lead_in=segment.framing)),
        "bullets": plain["bullets"],
    }
    fields, checks, fallbacks = {}, {}, []
    for key, text in hooked.items():
        joined = "\n".join(text) if isinstance(text, list) else text
        check = check_text(joined, source, colours)
        if not check["ok"]:
            fallbacks.append(key)
            text = plain[key]
            joined = "\n".join(text) if isinstance(text, list) else text
            check = check_text(joined, source, colours)
        fields[key], checks[key] = text, check
    return Variant(segment.key, segment.label, fields["title"], fields["description"], fields["bullets"],
                   segment.call_to_action, [f.text for f in leads], checks, fallbacks)


def make_variants(ingested: Ingested, segments, device: str = "cpu", colours=(), shifts: dict | None = None,
                  precision: str | None = None):
    """One variant (with its ad set, see ``engine.workflows.adsets``) per segment, in the order given.
    Returns ``[(Variant, AdSet)]``. ``precision``: the text encoder's (a Studio passes its own)."""
    from engine.workflows.adsets import build_adset

    facts = product_facts(ingested)
    used_leads: set[str] = set()
    out = []
    for segment in resolve_segments(segments) if not all(isinstance(s, Segment) for s in segments) else segments:
        ranked = rank_facts(segment, facts, device, used_leads, (shifts or {}).get(segment.key, 0), precision)
        variant = write_variant(ingested, segment, ranked, colours)
        if variant.lead_facts:
            used_leads.add(variant.lead_facts[0])
        out.append((variant, build_adset(ingested, segment, ranked, colours)))
    return out


def regenerate(ingested: Ingested, segment, others: list[Variant], shift: int, device: str = "cpu", colours=(),
               precision: str | None = None):
    """A new draft for one segment: its relevant facts rotated by ``shift``, still leading with a fact
    the ``others`` do not lead with where it can."""
    from engine.workflows.adsets import build_adset

    segment = segment if isinstance(segment, Segment) else resolve_segments([segment])[0]
    avoid = {v.lead_facts[0] for v in others if v.lead_facts and v.segment != segment.key}
    ranked = rank_facts(segment, product_facts(ingested), device, avoid, shift, precision)
    return write_variant(ingested, segment, ranked, colours), build_adset(ingested, segment, ranked, colours)


def recheck(ingested: Ingested, variant: Variant, colours=()) -> Variant:
    """The claim check again after a hand edit (fields as the merchant left them)."""
    source = ingested.source_text()
    variant.checks = {"title": check_text(variant.title, source, colours),
                      "description": check_text(variant.description, source, colours),
                      "bullets": check_text("\n".join(variant.bullets), source, colours)}
    return variant


# -- images and export -----------------------------------------------------------------------------

IMAGE_SIZES = ("1x1", "1.91x1")  # Meta feed square and Google's landscape display size


def variant_images(studio, ingested: Ingested, variant: Variant, settings=None, sizes=IMAGE_SIZES) -> list:
    """Ad images whose headline is the variant's hooked title and whose button is the segment's call
    to action; the product cut-out is shared across segments (``Studio.images`` caches it)."""
    from engine.copywriting.copy import Copy
    from engine.core.settings import Settings

    settings = (settings or Settings(fusion="none")).replace(call_to_action=variant.call_to_action)
    copy = Copy(title=variant.title, description=variant.description, bullets=variant.bullets)
    return studio.images(ingested, copy, settings, sizes=tuple(sizes))


def export_variants(pairs, out: Path | str, campaign: str, final_url: str = "", images: dict | None = None) -> dict:
    """``google_ads.csv`` (Google Ads Editor columns), ``meta_ads.csv`` (Meta bulk sheet),
    ``variants.json`` and, with ``images`` ({segment: [Creative]}), ``images.zip``. Returns the paths."""
    import json

    from engine.workflows import adsets
    from engine.workflows.export import media_zip

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    labels = {v.segment: v.label for v, _ in pairs}
    ctas = {v.segment: v.call_to_action for v, _ in pairs}
    sets = [a for _, a in pairs]
    paths = {
        "google": adsets.write_csv(adsets.google_ads_rows(sets, campaign, final_url, labels), adsets.GOOGLE_COLUMNS,
                                   out / "google_ads.csv"),
        "meta": adsets.write_csv(adsets.meta_rows(sets, campaign, final_url, labels, ctas), adsets.META_COLUMNS,
                                 out / "meta_ads.csv"),
    }
    paths["json"] = out / "variants.json"
    paths["json"].write_text(json.dumps([{"variant": v.to_dict(), "adset": a.to_dict()} for v, a in pairs],
                                        indent=1, ensure_ascii=False), encoding="utf-8")
    if images:
        files = []
        for segment, creatives in images.items():
            for creative in creatives:  # a Creative, or the path of one already saved
                if isinstance(creative, (str, Path)):
                    name = Path(creative).name
                    files.append((Path(creative), name if name.startswith(f"{segment}-") else f"{segment}-{name}"))
                    continue
                path = out / "images" / f"{segment}-{creative.size}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                creative.image.save(path)
                files.append((path, path.name))
        paths["zip"] = media_zip(files, out / "images.zip")
    return paths


def variant_passes(variant: Variant, adset) -> bool:
    """Every text field passes the claim check and the ad set holds every platform rule."""
    return all(c["ok"] for c in variant.checks.values()) and not adset.problems


def evaluate(catalogs, segments=("students", "parents", "gift buyers", "professionals", "athletes"),
             split: str = "val", limit: int | None = None, device: str = "cpu") -> dict:
    """Variants for every held-out product of the catalogs: the share that pass the claim check
    (every field, every ad line), the share of ad sets within every limit with distinct headlines,
    and how often two segments lead with different facts."""
    import json as _json

    from engine.workflows.adsets import check_adset, duplicates
    from engine.ingest import ingest
    from engine.core.product import Product
    from engine.training.data import split_of

    report = {"products": 0, "variants": 0, "claims_pass": 0, "fallbacks": 0, "adsets_ok": 0, "headlines": 0,
              "near_duplicates": 0, "distinct_leads": 0, "segment_pairs": 0, "problems": []}
    segments = resolve_segments(list(segments))
    for catalog in catalogs:
        catalog = Path(catalog)
        seen = 0
        for line in catalog.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = _json.loads(line)
            if split == "val" and split_of(str(row.get("id", "")), 10) != "val":
                continue
            ingested = ingest(Product.from_record(row, catalog.parent))
            pairs = make_variants(ingested, segments, device)
            report["products"] += 1
            for variant, adset in pairs:
                report["variants"] += 1
                lines = adset.google_headlines + adset.google_descriptions + [
                    adset.meta_headline, adset.meta_primary_text, adset.amazon_headline]
                ad_ok = all(check_text(l, ingested.source_text())["ok"] for l in lines if l)
                report["claims_pass"] += all(c["ok"] for c in variant.checks.values()) and ad_ok
                report["fallbacks"] += bool(variant.fallbacks)
                report["adsets_ok"] += not check_adset(adset)
                report["headlines"] += len(adset.google_headlines)
                report["near_duplicates"] += len(duplicates(adset.google_headlines))
                if adset.problems:
                    report["problems"].append(f"{row.get('id')}/{variant.segment}: {adset.problems[0]}")
            leads = [v.lead_facts[0] for v, _ in pairs if v.lead_facts]
            pairs_n = len(leads) * (len(leads) - 1) // 2
            report["segment_pairs"] += pairs_n
            report["distinct_leads"] += sum(a != b for i, a in enumerate(leads) for b in leads[i + 1:])
            seen += 1
            if limit and seen >= limit:
                break
    n = max(report["variants"], 1)
    report["claims_pass_rate"] = report["claims_pass"] / n
    report["adsets_ok_rate"] = report["adsets_ok"] / n
    report["distinct_lead_rate"] = report["distinct_leads"] / max(report["segment_pairs"], 1)
    return report


# -- cells: one field of one segment, as the studio's grid shows and edits it -----------------------

# (field, label, where it lives, character limit per line or None)
FIELDS = (
    ("title", "Title", "variant", None),
    ("description", "Description", "variant", None),
    ("bullets", "Bullets", "variant", None),
    ("google_headlines", "Google headlines (≤30)", "adset", "google_headline"),
    ("google_descriptions", "Google descriptions (≤90)", "adset", "google_description"),
    ("meta_headline", "Meta headline (≤40)", "adset", "meta_headline"),
    ("meta_primary_text", "Meta primary text (≤125)", "adset", "meta_primary_text"),
    ("amazon_headline", "Amazon headline (≤50)", "adset", "amazon_headline"),
)


def cell_text(variant: Variant, adset, name: str) -> str:
    """A field as one text: lists one item a line."""
    value = getattr(variant if hasattr(variant, name) else adset, name)
    return "\n".join(value) if isinstance(value, list) else value


def cell_scores(ingested: Ingested, variant: Variant, adset, name: str, colours=()) -> dict:
    """{"claims": ok, "flagged": [...], "limit": ok or None, "distinct": ok or None} for one cell."""
    from engine.workflows.adsets import LIMITS, duplicates

    _, _, _, limit_key = next(f for f in FIELDS if f[0] == name)
    text = cell_text(variant, adset, name)
    lines = [l for l in text.split("\n") if l.strip()]
    flagged = [f for l in lines for f in check_text(l, ingested.source_text(), colours)["flagged"]]
    scores = {"claims": not flagged, "flagged": flagged, "limit": None, "distinct": None}
    if limit_key:
        scores["limit"] = all(len(l) <= LIMITS[limit_key] for l in lines) and bool(lines)
    if name == "google_headlines":
        scores["distinct"] = not duplicates(lines)
    return scores


def edit_cell(ingested: Ingested, variant: Variant, adset, name: str, text: str, colours=()):
    """The merchant's text in one cell, checked again (claims on the copy, platform rules on the ad set)."""
    from engine.workflows.adsets import check_adset

    target = variant if hasattr(variant, name) else adset
    current = getattr(target, name)
    value = [l.strip() for l in text.split("\n") if l.strip()] if isinstance(current, list) else " ".join(text.split())
    setattr(target, name, value)
    recheck(ingested, variant, colours)
    adset.problems = check_adset(adset)
    return variant, adset
