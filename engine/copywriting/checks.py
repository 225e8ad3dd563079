"""Hard checks on a written field, and the fixes that need no second try.

A small LM misspells names it has just read ("Tantan" for "Titan"), drops the brand from a title and
now and then invents a name. Names are fixed deterministically (the input says how they are spelled);
everything else the claim check flags makes the field fail, so the writer tries another candidate or
seed (``engine.copywriting.rerank``) and, when every try fails, shows the best one with its problems
marked in red.
"""
from __future__ import annotations

import html
import re

from engine.scores.claims import repair_names

# Attributes that name the product line, kept verbatim in a title like the brand.
LINE_KEYS = ("product line", "line")


def product_names(ingested) -> list[str]:
    """The brand and product line as the merchant wrote them."""
    names = [ingested.product.brand.strip()]
    names += [v.strip() for k, v in ingested.attributes.items() if k.lower().replace("_", " ") in LINE_KEYS]
    return [n for n in dict.fromkeys(names) if n]


def _name_pattern(name: str) -> re.Pattern:
    """The name, in any case, with any punctuation or spacing between its words: "Burt s Bees" also
    matches "Burt's Bees" and "burt's bees"."""
    words = [re.escape(w) for w in re.findall(r"[^\W_]+", name)]
    return re.compile(r"(?<!\w)" + r"[\W_]*".join(words) + r"(?!\w)", re.I)


def _contains(text: str, name: str) -> bool:
    return _name_pattern(name).search(text) is not None


def finish(kind: str, text: str, ingested, limit: int | None = None) -> str:
    """Names spelled as the input spells them; a title that lost the brand or product line gets it back
    in front (catalog titles lead with the brand)."""
    source = ingested.source_text()
    text = repair_names(text, source)
    for name in product_names(ingested):  # "TITAN" or "titan" for "Titan": as given
        text = _name_pattern(name).sub(lambda m: name, text)
    if kind == "title" and text:
        text = title_from_input(_without_shop_tail(text), ingested)
        text = _in_the_merchants_order(text, ingested.product.title)
        text = _the_merchants_title_kept(text, ingested.product.title)
        missing = [name for name in product_names(ingested) if not _contains(text, name)]
        if missing:
            text = " ".join([*missing, text])
        if limit and len(text) > limit:
            from engine.copywriting.copy import cut_at_word

            text = cut_at_word(text, limit)
    return text


# What a marketplace page puts after a product's name ("... Women's Top For Only Rs", "... For Men - Buy At"):
# words of the input, but the shop's, not the product's.
_SHOP_TAIL = re.compile(r"(?:\s+-)?\s+(?:buy\b|(?:for\s+)?only\b|(?:at\s+)?(?:rs\b|inr\b|₹)|online\b|at\s*$|from\s+"
                        r"flipkart).*$", re.I)


def _without_shop_tail(title: str) -> str:
    return _SHOP_TAIL.sub("", title).strip(" -,") or title


def _in_the_merchants_order(title: str, merchant_title: str) -> str:
    """"Grips Go-Get'r Pushup" for "Go-Get'r Pushup Grips": the merchant's own words shuffled are the merchant's
    title as written."""
    def words(text: str) -> list[str]:
        return sorted(w.lower() for w in re.findall(r"[\w'’-]+", text))

    return merchant_title.strip() if merchant_title.strip() and words(title) == words(merchant_title) else title


def _the_merchants_title_kept(title: str, merchant_title: str) -> str:
    """The merchant's title is the floor of a written one. "Juno Jacket Full zip, Reversible", "Strive Shoulder
    Pack Audio Pocket, Waterproof, ...": attributes run on after it with no separator or connector are
    keyword stuffing, left out ("- For Girls", "(White)" and "in Cotton" stay). "Track Tote" for "Compete Track Tote", "Cobalt Fitness Short"
    for "Cobalt CoolTech™ Fitness Short": a title that only drops the merchant's leading name or a trademarked
    word is the merchant's title."""
    merchant = " ".join(html.unescape(merchant_title).split())
    if not merchant:
        return title
    written = " ".join(title.split())
    tail = written[len(merchant):].strip()
    if written.lower().startswith(merchant.lower()) and written[len(merchant):][:1] in (" ", ",") and tail and \
            not re.match(r"[-–|(\[:]", tail) and tail.split()[0].lower() not in TITLE_CONNECTORS:
        # "Rocco Gym Tank in Cotton" is a title; "Nadia Elements Shell, Rain Coat, Windbreaker" is not
        return written[:len(merchant)]
    words, theirs = written.lower().split(), merchant.split()
    dropped = [w for w in theirs if w.lower() not in words]
    if words and set(words) <= {w.lower() for w in theirs} and dropped and \
            (theirs[0] in dropped or any(re.search(r"[™®]", w) for w in dropped)):
        return merchant
    return title


def drop_unknown_names(title: str, flagged: list[dict]) -> str:
    """A title never carries a name the input does not have: the last resort when every try invented one."""
    for flag in sorted(flagged, key=lambda f: -f["start"]):
        if flag["kind"] in ("unknown name", "misspelt name") and flag["start"] >= 0:
            title = title[:flag["start"]] + title[flag["end"]:]
    return re.sub(r"\s{2,}", " ", title).strip(" -,")


# Words a title may hold that state nothing: the rest must come from the input.
TITLE_CONNECTORS = {"for", "with", "and", "&", "-", "–", "of", "in", "by", "the", "a", "an", "to", "on", "+", "|",
                    "/", ",", "set", "pack"}
_TITLE_TOKEN = re.compile(r"\S+")


def title_from_input(title: str, ingested) -> str:
    """A title of input words only: a word the input does not have (in any inflection) is left out, a word
    said twice is said once ("OMSORG OMSORG Shoehorn"), and the product type is added to a title that is
    only a name ("PORTIS" -> "PORTIS Hook")."""
    from engine.copywriting.plan import plan_content
    from engine.scores.claims import input_facts, lemmas

    source = ingested.source_text()
    facts = input_facts(source)
    lowered_source = source.lower()
    key_only = _words_only_in_keys(ingested.product)
    kept, seen = [], set()
    for match in _TITLE_TOKEN.finditer(title):
        token = match.group(0)
        core = token.strip(".,;:!?()[]\"'“”")
        key = core.lower()
        if not core or key in TITLE_CONNECTORS:
            kept.append(token)
            continue
        parts = [p for p in re.split(r"[-/]", core) if p]

        def known(part: str) -> bool:
            return part.lower() in facts.words or bool(lemmas(part) & facts.words) or part.isdigit() or \
                (any(c.isdigit() for c in part) and part.lower() in lowered_source)

        # "Erin Pants": a name a catalog's attribute key holds ("erin_recommends: No") names nothing of the product
        licensed = all(known(p) for p in parts) and not any(p.lower() in key_only for p in parts)
        if not licensed and len(parts) > 1:  # "GRUNT-TO-Stainless": the input's part of a made-up compound
            kept_parts = [p for p in parts if known(p) and p.lower() not in TITLE_CONNECTORS]
            if kept_parts:
                token, core, key, licensed = (" ".join(kept_parts),) * 2 + (" ".join(kept_parts).lower(), True)
                parts = kept_parts
        forms = {key} | {l for p in parts for l in lemmas(p)}
        if not licensed or forms & seen:  # "Shoehorn Shoehorns" is one word said twice
            continue
        seen |= forms
        kept.append(token)
    dangling = TITLE_CONNECTORS - {"set", "pack"}
    while kept and kept[-1].strip(".,;:!?()[]\"'“”").lower() in dangling:
        kept.pop()  # "Fossil watch for" lost its last word
    while kept and kept[0].strip(".,;:!?()[]\"'“”").lower() in dangling - {"the", "a"}:
        kept.pop(0)
    text = " ".join(kept)
    plan = plan_content(ingested)
    names = {w.lower() for n in product_names(ingested) for w in re.findall(r"[A-Za-z0-9]+", n)}
    only_names = all(w.lower() in names or any(c.isdigit() for c in w) for w in re.findall(r"[A-Za-z0-9]+", text))
    if only_names and plan.product_type and len(plan.product_type) <= 40:  # "PORTIS" says not what it is
        text = f"{text} {_type_as_written(plan.product_type, source)}".strip()
    return text


def _words_only_in_keys(product) -> set[str]:
    """Names of people or places that only an attribute key holds ("erin" of "erin_recommends"), in no value,
    title, description, bullet or category: a title with one names someone the product is not about. A common
    noun of a key ("Dial Color") is the product's part and stays licensed."""
    from engine.scores.claims import is_proper_name

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z]+", text.lower()))

    said = words(" ".join([product.title, product.description, product.category, *product.bullets,
                           *(str(v) for v in product.attributes.values())]))
    keys = words(" ".join(k.replace("_", " ") for k in product.attributes)) - said
    return {w for w in keys if is_proper_name(w)}


def _type_as_written(kind: str, source: str) -> str:
    """The product type with the merchant's capitals ("shoehorn" -> "Shoehorn")."""
    found = re.search(re.escape(kind), source, re.I)
    written = found.group(0) if found else kind
    return written[:1].upper() + written[1:]
