"""Ad sets in the formats ad platforms take, with their length limits, built from the merchant's facts.

Limits as the platforms document them (2026):
- Google Ads responsive search ad: 3-15 headlines of at most 30 characters, 2-4 descriptions of at
  most 90, display paths of at most 15;
- Meta (Facebook/Instagram) ad: primary text shown up to 125 characters, headline up to 40;
- Amazon Sponsored Brands: headline up to 50.

Every line is built from facts (brand, product type, attribute values, bullets, the segment's hook)
and fitted by dropping whole words, never cutting one. A line the claim check flags is dropped, and
a headline too close to one already chosen (same words, or nearly the same letters) is skipped:
platforms rotate headlines, so two near-copies waste a slot.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

LIMITS = {
    "google_headline": 30, "google_description": 90, "google_path": 15,
    "meta_primary_text": 125, "meta_headline": 40, "amazon_headline": 50,
}
GOOGLE_HEADLINES, GOOGLE_DESCRIPTIONS = 15, 4
DUPLICATE_JACCARD = 0.8
DUPLICATE_RATIO = 0.85

# Google Ads Editor's columns for a responsive search ad (one row per ad).
GOOGLE_COLUMNS = (["Campaign", "Ad group"] + [f"Headline {i}" for i in range(1, GOOGLE_HEADLINES + 1)]
                  + [f"Description {i}" for i in range(1, GOOGLE_DESCRIPTIONS + 1)] + ["Final URL", "Path 1", "Path 2"])
META_COLUMNS = ["Campaign Name", "Ad Set Name", "Ad Name", "Title", "Body", "Link", "Call to Action"]
# Meta's bulk sheet takes call-to-action types, not the words drawn on the image.
META_CTA = {"order now": "ORDER_NOW", "learn more": "LEARN_MORE", "buy now": "SHOP_NOW", "shop now": "SHOP_NOW",
            "get yours": "SHOP_NOW"}

_WORD = re.compile(r"[a-z0-9]+")
# A line never ends on a word that needs the next one ("Made of", "Water and").
_DANGLING = frozenset("a an the and or of for with in on to by from at as not no without is are".split())
# Model numbers and SKUs ("R8851116001", "Bathmat_RI-527"): true, but no shopper reads them in an ad.
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-./]{5,}$|^\d{5,}$|_")


@dataclass
class AdSet:
    segment: str
    google_headlines: list[str]
    google_descriptions: list[str]
    meta_headline: str
    meta_primary_text: str
    amazon_headline: str
    path: tuple[str, str] = ("", "")
    problems: list[str] = field(default_factory=list)  # limits, duplicates or claims that still fail

    def to_dict(self) -> dict:
        return asdict(self)


# -- fitting ---------------------------------------------------------------------------------------

def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters by dropping whole words: codes first, then from the end;
    "" when not even a meaningful start fits."""
    text = " ".join(text.replace("\n", " ").split()).rstrip(".")
    words = text.split(" ")
    if len(text) > limit:
        words = [w for w in words if not _CODE.search(w)] or words
    while words and len(" ".join(words)) > limit:
        words.pop()
    while words and (words[-1].lower().strip(",:;-–") in _DANGLING or words[-1] in {"-", "–", "|", ":"}):
        words.pop()
    return " ".join(words).rstrip(",:;-– ")


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def near_duplicate(a: str, b: str) -> bool:
    """Normalised token Jaccard >= 0.8, or a difflib character ratio >= 0.85."""
    ta, tb = _tokens(a), _tokens(b)
    if ta and tb and len(ta & tb) / len(ta | tb) >= DUPLICATE_JACCARD:
        return True
    # difflib's ratio depends on the argument order (its junk heuristic): either way counts
    a, b = a.lower(), b.lower()
    ratio = max(difflib.SequenceMatcher(None, a, b).ratio(), difflib.SequenceMatcher(None, b, a).ratio())
    return ratio >= DUPLICATE_RATIO


def duplicates(lines: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(lines) for b in lines[i + 1:] if near_duplicate(a, b)]


def _pick(candidates, limit: int, most: int, ok) -> list[str]:
    """Fitted, claim-checked, distinct lines, in the candidates' order. A candidate is a text (fitted
    by dropping words) or ``(text, False)``: a sentence, used whole or not at all, as a sentence cut
    short says something else ("Not for microwave" -> "Not for")."""
    chosen: list[str] = []
    for candidate in candidates:
        text, may_cut = candidate if isinstance(candidate, tuple) else (candidate, True)
        line = fit(text, limit) if may_cut else " ".join(text.split()).rstrip(".")
        if len(line) < 3 or len(line) > limit:
            continue
        if any(near_duplicate(line, c) for c in chosen) or not ok(line):
            continue
        chosen.append(line)
        if len(chosen) == most:
            break
    return chosen


def _pack(sentences: list[str], limit: int) -> str:
    """Whole sentences joined while they fit; a lone long first one is fitted by words."""
    out = ""
    for sentence in sentences:
        sentence = sentence.strip().rstrip(".") + "."
        joined = f"{out} {sentence}".strip()
        if len(joined) <= limit:
            out = joined
        elif not out:
            out = fit(sentence, limit - 1) + "." if fit(sentence, limit - 1) else ""
    return out


# -- building --------------------------------------------------------------------------------------

def product_type(ingested) -> str:
    """The plain name of the thing: the category's last step ("Wrist Watches", "Bags")."""
    category = ingested.product.category.replace(">", "/").split("/")[-1].strip()
    return category


def _fact_phrase(fact, limit: int):
    """A headline from a fact: an attribute keeps as many of its values as fit ("Activity: Gym,
    Overnight"), else its first value alone; a bullet or sentence is used whole or not at all."""
    if fact.source != "attribute" or ":" not in fact.text:
        return (fact.text, False)
    label, values = fact.text.split(":", 1)
    values = [v.strip() for v in values.split(",") if v.strip()]
    for n in range(len(values), 0, -1):
        line = f"{label}: {', '.join(values[:n])}"
        if len(line) <= limit:
            return (line, False)
    return (values[0], False) if values else ("", False)


def _value_phrase(fact, kind: str) -> str:
    """"Cotton Bath Mats" from ``Material: Cotton``: the value named with the product type."""
    if fact.source != "attribute" or ":" not in fact.text:
        return ""
    value = fact.text.split(":", 1)[1].split(",")[0].strip()
    return f"{value} {kind}".strip() if kind and len(value) < 20 else ""


def build_adset(ingested, segment, ranked, colours=()) -> "AdSet":
    """Headlines and descriptions for each platform from the ranked facts (most relevant first)."""
    from engine.variants import check_text, product_name

    source = ingested.source_text()
    checked: dict[str, bool] = {}

    def ok(line: str) -> bool:
        if line not in checked:
            checked[line] = check_text(line, source, colours)["ok"]
        return checked[line]

    brand, kind, name = ingested.product.brand, product_type(ingested), product_name(ingested)
    facts = [f for f, _ in ranked]
    leads = [f for f, score in ranked if score > 0]
    hook = segment.title_hook
    limit = LIMITS["google_headline"]
    headlines = [name, f"{brand} {kind}".strip(), (f"{hook}: {kind or name}", False), (f"{hook}: {name}", False),
                 (hook, False)]
    headlines += [_fact_phrase(f, limit) for f in leads] + [(_value_phrase(f, kind), False) for f in leads]
    headlines += [_fact_phrase(f, limit) for f in facts] + [(_value_phrase(f, kind), False) for f in facts]
    sentences = [f.text for f in leads + [f for f in facts if f not in leads]]
    descriptions = [_pack(sentences[i:], LIMITS["google_description"]) for i in range(0, len(sentences))]
    google_h = _pick([h for h in headlines if h and h[0]], limit, GOOGLE_HEADLINES, ok)
    google_d = _pick([d for d in descriptions if d], LIMITS["google_description"], GOOGLE_DESCRIPTIONS, ok)
    meta_h = (_pick([f"{hook}: {name}", f"{hook}: {kind}", name, kind], LIMITS["meta_headline"], 1, ok) or [""])[0]
    meta_text = _pack([f"{hook}: {name}"] + sentences, LIMITS["meta_primary_text"])
    if not ok(meta_text):
        meta_text = _pack(sentences, LIMITS["meta_primary_text"])
    amazon = (_pick([f"{brand} {kind}: {hook.lower()}" if brand else "", f"{hook}: {name}", name, f"{brand} {kind}"],
                    LIMITS["amazon_headline"], 1, ok) or [""])[0]
    path = (fit(_slug(kind or name), LIMITS["google_path"]), fit(_slug(segment.label), LIMITS["google_path"]))
    adset = AdSet(segment.key, google_h, google_d, meta_h, meta_text, amazon, tuple(p.replace(" ", "-") for p in path))
    adset.problems = check_adset(adset)
    return adset


def _slug(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def check_adset(adset: AdSet) -> list[str]:
    """Every limit, count and distinctness rule the platforms apply; [] when the set can be uploaded."""
    problems = []
    for label, lines, key in (("Google headline", adset.google_headlines, "google_headline"),
                              ("Google description", adset.google_descriptions, "google_description"),
                              ("Meta headline", [adset.meta_headline], "meta_headline"),
                              ("Meta primary text", [adset.meta_primary_text], "meta_primary_text"),
                              ("Amazon headline", [adset.amazon_headline], "amazon_headline"),
                              ("Google path", list(adset.path), "google_path")):
        problems += [f"{label} over {LIMITS[key]} characters: {line!r}" for line in lines if len(line) > LIMITS[key]]
    if len(adset.google_headlines) < 3:
        problems.append(f"Google needs at least 3 headlines; the facts gave {len(adset.google_headlines)}")
    if len(adset.google_descriptions) < 2:
        problems.append(f"Google needs at least 2 descriptions; the facts gave {len(adset.google_descriptions)}")
    if len(adset.google_headlines) > GOOGLE_HEADLINES or len(adset.google_descriptions) > GOOGLE_DESCRIPTIONS:
        problems.append("more headlines or descriptions than Google takes")
    problems += [f"near-duplicate headlines: {a!r} / {b!r}" for a, b in duplicates(adset.google_headlines)]
    return problems


# -- export ----------------------------------------------------------------------------------------

def google_ads_rows(adsets: list[AdSet], campaign: str, final_url: str = "", labels: dict | None = None) -> list[dict]:
    rows = []
    for adset in adsets:
        row = {c: "" for c in GOOGLE_COLUMNS}
        row.update({"Campaign": campaign, "Ad group": (labels or {}).get(adset.segment, adset.segment),
                    "Final URL": final_url, "Path 1": adset.path[0], "Path 2": adset.path[1]})
        row.update({f"Headline {i}": h for i, h in enumerate(adset.google_headlines, 1)})
        row.update({f"Description {i}": d for i, d in enumerate(adset.google_descriptions, 1)})
        rows.append(row)
    return rows


def meta_rows(adsets: list[AdSet], campaign: str, link: str = "", labels: dict | None = None,
              ctas: dict | None = None) -> list[dict]:
    rows = []
    for adset in adsets:
        label = (labels or {}).get(adset.segment, adset.segment)
        cta = (ctas or {}).get(adset.segment, "Learn more")
        rows.append({"Campaign Name": campaign, "Ad Set Name": label, "Ad Name": f"{campaign} - {label}",
                     "Title": adset.meta_headline, "Body": adset.meta_primary_text, "Link": link,
                     "Call to Action": META_CTA.get(cta.lower(), "LEARN_MORE")})
    return rows


def write_csv(rows: list[dict], columns: list[str], path: Path | str) -> Path:
    """UTF-8 with a BOM: Google Ads Editor and Excel then read accented names right."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_google_ads_csv(path: Path | str) -> list[dict]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def check_google_ads_rows(rows: list[dict]) -> list[str]:
    """The limits and distinctness of exported rows, read back from the CSV."""
    problems = []
    for n, row in enumerate(rows, 1):
        headlines = [row.get(f"Headline {i}", "") for i in range(1, GOOGLE_HEADLINES + 1)]
        headlines = [h for h in headlines if h]
        descriptions = [d for d in (row.get(f"Description {i}", "") for i in range(1, GOOGLE_DESCRIPTIONS + 1)) if d]
        adset = AdSet("", headlines, descriptions, "", "", "", (row.get("Path 1", ""), row.get("Path 2", "")))
        problems += [f"row {n}: {p}" for p in check_adset(adset)]
    return problems
