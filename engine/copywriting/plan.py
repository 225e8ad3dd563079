"""The content plan: which of the merchant's facts the copy states, and in what order.

Every writer (the description, the title, ad variants, captions) starts from the same plan, so what
the copy says is chosen from the input before a word is written, never invented while writing. A
plan names the product (brand, product line, type), then lists the facts a shopper decides on, in
the order shoppers look for them: what it is made of, its size or capacity, its colour, who and what
it is for, how to care for it, what is in the box, its features and warranty. Each fact keeps the
input line it came from (``source``), which is what the Create tab shows as a sentence's provenance
("from: Material: Ceramic").

``Fact`` is the one fact type of the engine: the plan's facts, the facts Q&A answers from
(``listing_facts``: everything the listing says, unchosen) and the facts an audience variant leads with
(``engine.workflows.variants.product_facts``: the plan's facts with the phrase copy states them in) are all
``Fact``; ``kind`` says where one was read (an attribute, a bullet, ...), ``text`` is how it is named to a person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Roles in the order a description states them. A key is matched by the first role whose words it holds.
ROLES = (
    ("material", ("material", "fabric", "made of", "plating", "metal")),
    ("size", ("capacity", "size", "dimension", "length", "width", "height", "depth", "diameter", "weight",
              "volume", "thickness")),
    ("colour", ("color", "colour", "shade")),
    ("pattern", ("pattern", "print", "design")),
    ("use", ("ideal for", "suitable for", "designed for", "gender", "occasion", "activity", "climate", "room", "usage", "use")),
    ("style", ("style", "sleeve", "neck", "fit", "closure", "shape", "collection", "series", "features",
               "strap", "dial", "sole", "heel", "mechanism")),
    ("care", ("care", "wash", "clean")),
    ("package", ("sales package", "in the box", "pack of", "contents", "set content", "combo")),
    ("warranty", ("warranty", "guarantee")),
)
# Shop bookkeeping and ids: true, but nothing a shopper reads in copy.
SKIP_KEYS = ("region", "country", "brand", "price", "style code", "model number", "model id", "model name", "model", "sku", "url", "rating",
             "new", "sale", "erin recommends", "visibility", "id", "product line", "line", "type", "product type",
             "category", "not covered in warranty", "warranty service type",
             "covered in warranty", "domestic warranty", "international warranty", "domestic term", "international term")
# Keys that count the pieces in the box under another name: a pack size where "Pack of" is not given.
COUNT_KEYS = ("number of contents in sales package", "number of contents in set", "pack of")
YES = ("yes", "true", "y")
NO = ("no", "false", "0", "none", "n/a", "not applicable")
LINE_KEYS = ("product line", "line", "collection name")
TYPE_KEYS = ("type", "product type")
# Words of a plural product type ("shorts", "jeans"): the copy says "they", not "it".
PLURAL_TYPES = {"shorts", "jeans", "trousers", "pants", "leggings", "tights", "sunglasses", "glasses", "earrings",
                "socks", "shoes", "sneakers", "boots", "sandals", "slippers", "gloves", "scissors", "headphones",
                "earphones", "earbuds", "joggers", "briefs", "boxers", "capris", "pyjamas", "pajamas", "chinos",
                "flats", "heels", "loafers", "trunks", "cufflinks", "tongs", "tweezers", "binoculars", "spectacles"}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class Fact:
    """One thing the merchant said, ready to be stated (the plan), answered from (Q&A) or led with (a variant)."""

    role: str    # material | size | colour | pattern | use | style | care | package | warranty | feature | note
    #              (a sentence) | title | brand | category | price
    key: str     # the attribute's name as a shopper reads it ("Mug capacity"), "" for a sentence
    value: str   # the value as given ("350 ml"); for a yes/no feature, "yes" or "no"; "" for a sentence
    source: str  # the input line it came from: "Mug Capacity: 350 ml"; a sentence: the sentence
    kind: str = "attribute"  # where it was read: attribute | bullet | description | title | brand | category |
    #                          price | photo label
    # How copy states it (a ``engine.copywriting.realise.Phrase``: "is made of ceramic"), where a variant
    # needs it; None otherwise (the plan phrases its facts as it writes).
    phrase: Phrase | None = None
    sentence: str = ""  # a sentence written whole instead of a phrase (the merchant's own, a care instruction)

    @property
    def text(self) -> str:
        """The fact as a person reads it, e.g. as an answer's source: "Microwave safe: No"; a sentence (no key,
        no value) as given."""
        return f"{self.key}: {self.value}" if self.key or self.value else self.source

    @property
    def is_flag(self) -> bool:
        return self.value.lower() in YES + NO

    @property
    def negative(self) -> bool:
        """A "no" the copy states as a warning ("is not dishwasher safe"). A sentence written whole is never
        one; a phrased fact is one when the fact its phrase states is."""
        if self.sentence:
            return False
        return (self.phrase.fact if self.phrase is not None else self).value.lower() in NO

    def words(self) -> set[str]:
        """Content words whose presence in a sentence shows it states this fact."""
        text = self.key if self.is_flag else self.value
        return {w.lower() for w in _WORD.findall(text)} - _FILLER

    def text_words(self) -> set[str]:
        """Every word of its name and text, lower case: what a shopper segment's words are matched against."""
        return set(_TEXT_WORD.findall(f"{self.key} {self.text}".lower().replace("_", " ")))


_TEXT_WORD = re.compile(r"[a-z0-9]+")


_FILLER = {"a", "an", "the", "of", "and", "or", "for", "in", "with", "to", "s", "is", "it", "on", "by", "at", "as",
           "yes", "no", "pack", "set", "type", "not"}


@dataclass(frozen=True)
class ContentPlan:
    name: str                 # the product as the copy calls it: the merchant's title, else brand + line + type
    brand: str
    line: str                 # the product line ("OMSORG"), "" when none
    product_type: str         # what it is, lower case ("coffee mug"), "" when the input never says
    plural: bool              # "they" rather than "it"
    facts: tuple[Fact, ...]   # in the order the copy states them
    notes: tuple[str, ...] = field(default=())  # the merchant's own sentences (bullets, description), as written
    bullets: tuple[str, ...] = field(default=())  # the merchant's bullets among them
    category: str = ""        # the merchant's category path, lower case ("hair care > conditioners")

    @property
    def sources(self) -> dict[str, str]:
        """Fact source -> role, for provenance lookups."""
        return {f.source: f.role for f in self.facts}

    def pronoun(self, capital: bool = True) -> str:
        word = "they" if self.plural else "it"
        return word.capitalize() if capital else word


def _norm_key(key: str) -> str:
    return " ".join(key.replace("_", " ").lower().split())


# Luma's keys carry the attribute set they belong to ("strap_bags", "style_general"): not part of the name.
_KEY_SET_SUFFIX = re.compile(r"_(?:bags|general|bottom|gear|top|women|men)$", re.I)  # not "Induction Bottom"


def _label(key: str) -> str:
    words = _KEY_SET_SUFFIX.sub("", key.strip()).replace("_", " ")
    return words[:1].upper() + words[1:]


def role_of(key: str) -> str:
    key = _norm_key(key)
    if re.search(r"\b(?:care|wash)", key):  # "Fabric care" is about care, not the fabric
        return "care"
    if key.endswith(" for"):  # "Designed for", "Suitable for": a use, whatever the words before
        return "use"
    if re.search(r"\b(?:colou?r|shade)$", key):
        return "colour"  # "Metal Color": a colour, whatever it colours
    if re.search(r"\b(?:weight|length|width|height|depth|diameter|thickness)$", key):
        return "size"  # "Metal Weight", "Strap Length": a measure, whatever it measures
    for role, words in ROLES:
        # "use" is a whole word ("Usage", "Use"), not the start of "Technology Used"
        if any(re.search(rf"\b{re.escape(w)}" + (r"\b" if w == "use" else ""), key) for w in words):
            return role
    return "feature"


def _leaf(category: str) -> str:
    return category.replace(">", "/").split("/")[-1].strip() if category else ""


def product_type(ingested) -> str:
    """What the product is, in the merchant's words: the Type attribute, else the category's last part."""
    for key, value in ingested.attributes.items():
        if _norm_key(key) in TYPE_KEYS and value.strip() and value.lower() not in YES + NO:
            return value.split(",")[0].strip()
    leaf = _leaf(ingested.product.category)
    return leaf


def product_line(ingested) -> str:
    for key, value in ingested.attributes.items():
        if _norm_key(key) in LINE_KEYS and value.strip() and len(value) < 40:
            return value.strip()
    return ""


def product_name(ingested, product_kind: str, line: str) -> str:
    """The merchant's title when it reads as a name: without a listing's tail ("(Pack of 1)", " - For Men",
    "| ...") and at most 100 characters, cut at a word; else brand + line + type."""
    product = ingested.product
    # a catalog's blank in the title, with the unit it left behind ("Cat's Eye NA K Ring")
    title = re.sub(r"\s(?:NA|N/A)(?:\s[A-Za-z]{1,2}\b)?(?=\s|$)", "", " ".join(product.title.split()))
    title = re.split(r"\s*[(|\[]|\s+[-–]\s+", title)[0].strip(" ,;:-") if title else ""
    if len(title) > 100:
        title = title[:100].rsplit(" ", 1)[0]
    if title:
        return title
    words = [product.brand, line, product_kind]
    return " ".join(dict.fromkeys(w for w in words if w))


def _is_plural(kind: str, name: str) -> bool:
    """"Cycling Shorts", "Rice Lights": a plural noun last (WordNet's base form differs), not "Dress" or "Lens"."""
    words = (kind or name).lower().split()
    last = (words[-1:] or [""])[0].strip(".,")
    if re.search(r"\b(?:set|pack|pair|kit|box|combo) of [a-z-]+$", " ".join(words)):
        return False  # "Maspar Cotton Set of Towels": one set
    if last in PLURAL_TYPES:
        return True
    if not last.endswith("s") or last.endswith(("ss", "us", "is", "ics")):
        return False
    from engine.scores.claims import wordnet

    wn = wordnet()
    base = wn.morphy(last, "n") if wn is not None else None
    return bool(base) and base != last


def _merchant_sentences(ingested, limit: int = 6) -> tuple[str, ...]:
    """The merchant's bullets and the sentences of their description that read as copy (not a spec dump)."""
    from engine.copywriting.copy import SENTENCE_END

    product = ingested.product
    out = [b.strip() for b in product.bullets if b.strip()]
    for sentence in SENTENCE_END.split(product.description or ""):
        # "Price: Rs. 539 There are days ...": the price's figure is left at the start of the next sentence
        sentence = re.sub(r"^\d[\d,.]*\s+(?!(?:ml|l|g|kg|mg|cm|mm|m|inch|inches|pcs|pieces|x|%)\b)", "",
                          " ".join(sentence.split()), flags=re.I)  # "699 long clutch that ..." too; "2 pcs" kept
        marked = re.match(r"^[#*•>\-]+\s*(?=[a-z])", sentence)  # "# if your skin is very sensitive ...": a list mark
        if marked:
            sentence = sentence[marked.end()].upper() + sentence[marked.end() + 1:]
        if 4 <= len(sentence.split()) <= 30 and not re.search(
                r"key features|specifications of|cash on delivery|genuine products|free shipping|buy .* online|"
                r"replacement guarantee|price: rs|rs\.", sentence, re.I):
            out.append(sentence)
    return tuple(dict.fromkeys(out))[:limit]


_SPEC_BULLET = re.compile(r"^([A-Za-z][A-Za-z0-9 /&()'-]{1,40}):\s*(\S.{0,119})$")


def _bullet_attributes(bullets, attributes: dict) -> dict[str, str]:
    """Bullets written as specifications ("Material: ABS plastic", "Antennas: 2") are facts like the
    attributes, unless an attribute already gives that key."""
    known = {_norm_key(k) for k in attributes}
    found = {}
    for bullet in bullets:
        match = _SPEC_BULLET.match(bullet.strip())
        if match and _norm_key(match.group(1)) not in known:
            found[match.group(1).strip()] = match.group(2).strip().rstrip(".")
    return found


_CARE_START = re.compile(r"(?:gentle |normal |cold |warm )?(?:machine|hand) wash|wash\b|dry clean|do not|don'?t|"
                         r"tumble dry|line dry|dry in|dry flat|iron\b|cool iron|wipe|spot clean|wash with", re.I)


def _care_from_notes(product) -> Fact | None:
    """Care written where no attribute holds it: a bullet ("Machine wash/dry.") or a catalog's unkeyed
    line ("Gentle Machine Wash in Lukewarm Water, Do Not Bleach, Shirt"); only the instructions kept."""
    other = product.attributes.get("_other") or []
    lines = [*product.bullets, *([other] if isinstance(other, str) else other)]
    for line in lines:
        parts = [p.strip(" .") for p in str(line).split(",") if p.strip(" .")]
        instructions = [p for p in parts if _CARE_START.match(p)]
        if instructions and _CARE_START.match(parts[0]):
            value = ", ".join(instructions).replace("wash/dry", "wash and dry").replace("Wash/Dry", "Wash and Dry")
            return Fact("care", "Care", value, f"your notes: {str(line).strip()}")
    return None


def _dimension(key: str) -> str:
    """What a size key measures, for telling one fact from a repeat: "Seat Height" and "Height" measure a
    height, "Width" and "Diameter" a width; "Height" and "Width" are two facts even at the same value."""
    last = key.split()[-1] if key.split() else key
    return {"diameter": "width", "breadth": "width"}.get(last, last)


def _without_na(value: str) -> str:
    """"No NA" -> "No", "NA" -> "": a catalog's "not applicable" marker is not part of a value."""
    if value.strip(" .-/").lower() in ("na", "n/a", "n a"):
        return ""
    kept = " ".join(w for w in value.split() if w not in ("NA", "N/A"))
    if kept != value and not re.search(r"[a-z]{2,}|\d", kept, re.I):
        return ""  # "Gold Purity: NA K": the unit of a blank is blank too
    return kept or value


def plan_content(ingested) -> ContentPlan:
    """The plan of what the copy will say, from the input alone."""
    product = ingested.product
    kind = product_type(ingested)
    line = product_line(ingested)
    facts: list[Fact] = []
    seen_values: set[str] = set()
    attributes = {**_bullet_attributes(product.bullets, ingested.attributes), **ingested.attributes}
    # the outside before the inside: of "Inner Material: Leather" and "Outer Material: Leather", the outer is said
    attributes = dict(sorted(attributes.items(), key=lambda kv: bool(re.search(r"inner|lining", kv[0], re.I))))
    counted = False  # a pack size is stated once, from the first key that gives it
    for key, value in attributes.items():
        norm, value = _norm_key(key), " ".join(str(value).split())
        value = _without_na(value)
        if norm in COUNT_KEYS:
            if counted or not value:
                continue
            counted = True
            count = re.fullmatch(r"(?:(?:pack|set) of\s*)?(\d+)", value, re.I)
            if count:  # "Number of Contents in Sales Package: 6": the pack size a price is for
                facts.append(Fact("package", "Pack of", count.group(1), f"{key.replace('_', ' ')}: {value}"))
            continue
        if not value or key.startswith("_") or norm in SKIP_KEYS or norm.startswith(("brand", "category")) or \
                len(value) > 120 or value.lower().strip(".-") in ("na", "n a", "") or \
                re.search(r"\b(?:code|number|id|sku|ean|upc)$|subtype|secondary|\bname$", norm):
            continue
        if value.lower() in YES + NO and role_of(key) in ("material", "size", "colour", "pattern", "package"):
            continue  # "External Material: Yes": a flag where a value belongs says nothing to state
        if value.lower() in NO and role_of(key) not in ("feature", "care"):
            continue  # "Eco collection: No": a no is stated only where it warns ("Microwave safe: No")
        if value.lower() in NO and not re.search(r"safe|washable|resistant|proof|wash", norm):
            continue
        # the same value under two keys is said once ("Material: Cotton", "Fabric: Cotton"), but two sizes
        # that happen to match ("Height: 40 cm", "Width: 40 cm") are two facts
        fingerprint = value.lower() if value.lower() not in YES + NO else norm
        if role_of(key) == "size":
            fingerprint = f"{_dimension(norm)}: {fingerprint}"
        if fingerprint in seen_values:
            continue
        seen_values.add(fingerprint)
        facts.append(Fact(role_of(key), _label(key), value, f"{key.replace('_', ' ')}: {value}"))
    if not any(f.role == "care" for f in facts):
        care = _care_from_notes(product)
        if care:
            facts.append(care)
    order = [role for role, _ in ROLES] + ["feature"]
    # a weight is what a shopper checks last, not what copy leads with: after the style facts
    facts.sort(key=lambda f: (order.index("style") + 0.5 if f.role == "size" and "weight" in f.key.lower() else
                              order.index(f.role) if f.role in order else len(order)))
    name = product_name(ingested, kind, line)
    return ContentPlan(name=name, brand=product.brand.strip(), line=line, product_type=kind.lower(),
                       plural=_is_plural("" if name else kind, name), facts=tuple(facts), notes=_merchant_sentences(ingested),
                       bullets=tuple(b.strip() for b in product.bullets if b.strip()),
                       category=product.category.lower())


# -- every fact the listing gives -----------------------------------------------------------------------

MAX_FACT_CHARS = 300  # a bullet or description sentence longer than this is cut (Q&A says it back whole)
# A value that says nothing ("Novelty Feature: N/A"): not a fact.
NOT_GIVEN = {"na", "n/a", "n.a.", "not applicable", "-", "nil", "unknown", ""}
LISTING_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*[•\u2022;]\s*|\n+")


def shown_key(key: str) -> str:
    """An attribute's name as Q&A shows it: underscores as spaces, the first letter upper case."""
    key = key.replace("_", " ").strip()
    return key[:1].upper() + key[1:]


def price_fact(product) -> Fact | None:
    """The product's price as a fact ("Price: 24.5 USD"), None when it has none. The plan leaves the price
    out of descriptions; Q&A answers it and a variant for value shoppers leads with it."""
    if product.price is None:
        return None
    value = f"{product.price:g} {product.currency}".strip()
    return Fact("price", "Price", value, f"Price: {value}", kind="price")


def listing_facts(ingested, photo_labels: tuple[str, ...] = ()) -> list[Fact]:
    """Every fact the listing gives, unchosen (what Q&A answers from): one per attribute (as given, brand and
    codes too), confirmed photo label, bullet and description sentence, then the title, brand, category and
    price; a fact whose text repeats an earlier one's (case aside) is kept once. ``plan_content`` is the
    other reading: the facts copy states, chosen and ordered."""
    p = ingested.product

    def attribute(key: str, value: str, kind: str) -> Fact:
        shown = shown_key(key)
        return Fact(role_of(key) if kind in ("attribute", "photo label") else kind, shown, value,
                    f"{shown}: {value}", kind=kind)

    def sentence(text: str, kind: str) -> Fact:
        return Fact("note", "", "", text, kind=kind)

    facts = [attribute(k, v, "attribute") for k, v in ingested.attributes.items()
             if v.strip().lower() not in NOT_GIVEN]  # "Novelty Feature: N/A" says nothing
    facts += [attribute("Product type", label, "photo label") for label in photo_labels]
    facts += [sentence(b[:MAX_FACT_CHARS], "bullet") for b in p.bullets if b.strip()]
    facts += [sentence(s.strip()[:MAX_FACT_CHARS], "description")
              for s in LISTING_SENTENCE.split(p.description or "") if len(s.strip()) > 2]
    for kind, value in (("title", p.title), ("brand", p.brand), ("category", p.category)):
        if value.strip():
            facts.append(attribute(kind, value, kind))
    price = price_fact(p)
    if price is not None:
        facts.append(price)
    seen, kept = set(), []
    for fact in facts:
        if fact.text.lower() not in seen:
            seen.add(fact.text.lower())
            kept.append(fact)
    return kept


# -- provenance ----------------------------------------------------------------------------------------

def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s", "en", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def facts_stated(sentence: str, plan: ContentPlan) -> list[str]:
    """The sources of the plan's facts a sentence states: most of a value's words are in it (every
    one for a value of one or two words), or for a yes/no feature, its name. The product's name and
    type count as a fact too ("Name: ...") when the sentence names it."""
    words = {_stem(w) for w in _WORD.findall(sentence)}
    stated = []
    name_words = {_stem(w) for w in _WORD.findall(" ".join([plan.brand, plan.line, plan.product_type]))} - \
        {_stem(w) for w in _FILLER}
    if name_words and name_words & words:
        stated.append(f"name: {plan.name}")
    for fact in plan.facts:
        wanted = {_stem(w) for w in fact.words()}
        if not wanted:
            continue
        have = len(wanted & words)
        if have == len(wanted) or (len(wanted) > 2 and have / len(wanted) >= 0.6):
            stated.append(fact.source)
    return stated
