"""The sentence realiser: the plan's facts stated as plain, varied prose, deterministically.

It is the floor under every description: whatever the language model writes, a planned fact it did not
state in a licensed sentence is stated here ("Made of ceramic, it holds 350 ml."), so a description is
never a cut fragment, never empty and never a ``key: value`` list. Every fact becomes a verb phrase
("is made of ceramic", "holds 350 ml"); two phrases share a sentence; the seed picks among a few
sentence shapes and the tone picks the opening, so two seeds read differently while stating the same
facts. The realiser's own words (verbs, connectives, the tone's openings) state nothing about the
product: everything it asserts comes from the plan.
"""
from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, replace

from engine.copywriting.appeal import holds_what, purpose
from engine.copywriting.copy import SHOP_TALK
from engine.copywriting.plan import ContentPlan, Fact
from engine.copywriting.plausibility import doubtful
from engine.scores.spelling import known, respelled

_ADJECTIVE_END = ("resistant", "safe", "proof", "able", "ible", "ous", "ive", "ful", "less", "free", "ant", "ent",
                  "ic", "al", "ed", "ing", "ized", "ised", "friendly", "compatible")


@dataclass
class Sentence:
    text: str
    facts: list[str]        # the input lines it states (``Fact.source``; "name: ..." for the product's name)
    origin: str = "realised"  # "model" | "realised" | "merchant"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Phrase:
    """A verb phrase about the product, in both numbers: ("is", "are", "made of ceramic")."""

    singular: str
    plural: str
    rest: str
    fact: Fact
    also: tuple[Fact, ...] = ()  # facts merged into this phrase ("measures 98 mm high and 80 mm wide")

    @property
    def sources(self) -> list[str]:
        return [self.fact.source, *(f.source for f in self.also)]

    def text(self, plural: bool) -> str:
        verb = self.plural if plural else self.singular
        return f"{verb} {self.rest}".strip()

    def participle(self) -> str | None:
        """The phrase fronted before the subject ("Made of ceramic, ..."), where English allows it."""
        # "Made of ceramic, it holds 350 ml"; not "Made for women, the bellies have a round tip", which ties two
        # facts that have nothing to do with each other
        if self.singular == "is" and self.rest.startswith(("made of ", "made from ", "sold ", "designed ")):
            return self.rest[:1].upper() + self.rest[1:]
        return None


def _shouted(value: str) -> bool:
    """"2 SKATES, 1 HELMET", "BEST OF LUCK": two or more long words in capitals (an acronym alone is not)."""
    return sum(len(re.sub(r"[^A-Z]", "", w)) >= 4 and w.isupper() for w in value.split()) >= 2


_UNIT_SYMBOLS = frozenset({"Hz", "Wh", "Ah", "Pa", "Gb", "Mb", "Kb"})  # "50 Hz" is not "50 hz"
_COMMON_ACRONYMS = frozenset({"LED", "USB", "LCD", "PVC", "TPR", "EVA", "UV", "TV", "AC", "DC", "PC", "MDF", "ABS"})
_FUNCTION_WORDS = frozenset("a an the of and or for with without against from by to in on at into per".split())


def _plain(value: str, shouted: bool | None = None) -> str:
    """A value as it reads mid-sentence: "Cotton Lycra" -> "cotton lycra", "RED" -> "red", but "UV400",
    "OMSORG", "LED", "iPhone" kept."""
    from engine.scores.vocab import COLORS

    value = value.replace('\\"', '"')  # 'MacBook Air 13\\"': a database's escaped inch mark
    words = []
    # "2 SKATES, 1 HELMET", "BEST OF LUCK": shouted words in lower case; an acronym ("LED", "USB") kept
    shouted = _shouted(value) if shouted is None else shouted
    for word in value.split():
        word = respelled(word)
        core = re.sub(r"[^A-Za-z]", "", word.split("-")[0])  # "All-weather" reads as "all-weather"
        title_case = core[:1].isupper() and core[1:].islower() and len(core) > 1 and core not in _UNIT_SYMBOLS and \
            not re.search(r"[®™©]", word) and not _proper(core) and known(core)  # "Fluidride": a name, kept
        loud = shouted and word.isupper() and (len(core) >= 4 or core.lower() in ("of", "and", "the", "for", "with") or
                                               len(core) == 3 and core not in _COMMON_ACRONYMS and known(core.lower()))
        small = words and word.istitle() and word.lower() in _FUNCTION_WORDS  # "Blend Of Net And Satin"
        words.append(word.lower() if title_case or loud or small or core.lower() in COLORS else word)
    return re.sub(r"(\d) %", r"\1%", " ".join(" ".join(words).split()))


def _proper(word: str) -> bool:
    """"Indian", "Chinese": WordNet writes the word with a capital in every sense, so prose keeps it."""
    from engine.scores.claims import wordnet

    wn = wordnet()
    if wn is None or len(word) < 3:
        return False
    names = {l.name() for s in wn.synsets(word.lower()) for l in s.lemmas() if l.name().lower() == word.lower()}
    return bool(names) and all(n[:1].isupper() for n in names)




def _names_or_series(value: str) -> str:
    """A list that holds a name ("Samsung Galaxy Core Prime", "Windows XP, Vista") joined as written, its
    capitals kept; otherwise ``series`` ("water, whisky and beer")."""
    if all(known(w) for w in re.findall(r"[A-Za-z]{2,}", value)):
        return series(value)
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else value


_MATTER = {"wooden": "wood", "woollen": "wool", "woolen": "wool", "metallic": "metal", "leathern": "leather"}


# Words that cannot stand alone as a list's item: "Skid, Resistant, Rubber" is one phrase a catalog split
_BOUND = {"resistant", "proof", "density", "high", "low", "anti", "non", "free"}


def series(value: str, joiner: str = "and") -> str:
    """"Black, Gray, Orange" -> "black, gray and orange" (or "black, gray or orange": a choice); in a list,
    "Wooden, Iron" -> "wood and iron"; "Durable, High, Density, Foam" -> "durable high density foam"."""
    parts = [p.strip() for p in re.split(r",|/|\|", value) if p.strip()]
    if len(parts) > 2 and all(" " not in p for p in parts) and {p.lower() for p in parts} & _BOUND:
        parts = [" ".join(parts)]
    if len(parts) > 1:
        parts = [_MATTER.get(p.lower(), p) for p in parts]
    shouted = _shouted(value)  # "TRAINING, INTERMEDIATE": the whole list is shouted, though each part is one word
    parts = [_plain(p, shouted) for p in dict.fromkeys(parts)]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    # "everyday, religious, and wedding and engagement": a part that holds "and" needs the serial comma
    serial = "," if any(f" {joiner} " in f" {p} " for p in parts) else ""
    return ", ".join(parts[:-1]) + f"{serial} {joiner} " + parts[-1]


def _audience(value: str) -> str:
    """"Women's" -> "women", "Womens" -> "women", "Boys, Girls" -> "boys and girls", "Men, Women, Unisex" ->
    "men and women"."""
    value = re.sub(r"['’]s\b", "", value)
    if "," in value:
        value = ", ".join(v for v in value.split(",") if v.strip().lower() != "unisex")
    value = re.sub(r"\b(wo)?mens\b", lambda m: (m.group(1) or "") + "men", value, flags=re.I)
    # "Baby Girl's" -> "baby girls": a kind of shopper is said in the plural, as "men" and "women" are
    value = re.sub(r"\b(girl|boy|kid|infant|baby|toddler|teen|adult|couple)\b(?!s)(?=\s*(?:,|$))", r"\1s", value, flags=re.I)
    return series(value).lower()  # "Baby Boys, Baby GIRLS": who it is for, never shouted


def _article(phrase: str) -> str:
    """"a" or "an" by sound: "an LED", "a USB port", "an oak", "a useful"."""
    first = phrase.split()[0] if phrase.split() else ""
    if len(first) > 1 and first.isupper():  # an acronym is read letter by letter
        vowel_sound = first[0] in "AEFHILMNORSX"
    elif first[:1].isdigit():  # "an 8 GB card", "an 18 K ring", "an 85% cotton", but "a 1 m cable"
        vowel_sound = first.startswith("8") or bool(re.match(r"1[18](?:\d{3})*(?![\d.,])", first))
    else:
        vowel_sound = first[:1].lower() in "aeio" or (first[:1].lower() == "u" and not first.lower().startswith(
            ("us", "uni", "ut", "ur", "eu")))
        vowel_sound = vowel_sound and not re.match(r"(?:one\b|once\b|eu|uni)", first.lower())  # "a one-piece"
    return ("an " if vowel_sound else "a ") + phrase


def _some(phrase: str) -> str:
    """"a power consumption", but "system requirements", "steady multi-functions", "internal antennae": no
    article before a plural."""
    from engine.scores.claims import wordnet

    last = phrase.split()[-1].lower() if phrase.split() else ""
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is")) or \
        wordnet().morphy(last, "n") not in (None, last) and not any(
            l.name().lower() == last for syn in wordnet().synsets(last, "n") for l in syn.lemmas())
    return phrase if plural else _article(phrase)


def _ending_in(value: str, thing: str) -> str:
    """"round" + "dial" -> "round dial"; "rectangle dial" + "dial" -> "rectangle dial", not "rectangle dial dial";
    "steel case" + "case / bezel" -> "steel case"."""
    last = singular(value.split()[-1]) if value.split() else ""
    return value if last and last in {singular(w) for w in re.findall(r"[a-z]+", thing)} else f"{value} {thing}"


def _key_word(fact: Fact) -> str:
    """The key as prose names it: "Technology Used" -> "technology"."""
    return re.sub(r"\s+used$", "", _plain(fact.key).lower())


_DANGLING = re.compile(r"\b(?:for|by|with|of|to|in|on|and|or|the|a|an)$", re.I)


def phrase_for(fact: Fact, fact_name: str = "") -> Phrase | None:
    """The verb phrase that states one fact, or None when it cannot be said as prose. ``fact_name``: the
    product's name (and type), which a sales package or a "<thing> Type" key that only repeats it adds
    nothing to."""
    key, value = _key_word(fact), re.sub(r"\bsleeve less\b", "sleeveless", fact.value.strip(), flags=re.I)
    value = value.replace('\\"', '"').removesuffix(".")  # 'MacBook Air 13\\"': a database's escaped inch mark
    if ":" in value or _DANGLING.search(value):
        return None  # "Yes, Day and Date Display: ...", "Door designed for": not a value a sentence can carry
    if re.search(r"\d\.\d{5,}", value):
        return None  # "Gold Weight: 2.60646589305": a database's float, not a figure a shopper reads
    if "(" in value and len(value.split()) > 6:
        return None  # "As shown in the image (black has been mentioned for reference only ...)": a note, not a value
    if value in ("0", "1") and not re.search(r"number|count|pack|pieces|quantity|set|content|\bof\b", key):
        return None  # "Performance Fabric: 1": a database's yes/no, not "a 1 performance"
    unit = re.search(r"\s*\(([A-Za-z]{1,4})\)$", key)
    if unit and value.replace(".", "", 1).isdigit():  # "Power Consumption (W): 40" -> "a power consumption of 40 W"
        return phrase_for(Fact(fact.role, key[:unit.start()], f"{value} {unit.group(1)}", fact.source))
    if unit and value.lower().endswith(unit.group(1).lower()):  # "Power Consumption (W): 45 W"
        return phrase_for(Fact(fact.role, key[:unit.start()], value, fact.source))
    if key == "age group" and re.search(r"\d", value):  # "Age Group: 0 - 3" -> "made for ages 0 - 3"
        return Phrase("is", "are", f"made for ages {_plain(value)}", fact)
    if "/" in key and len(value.split()) == 1:  # "Wired/Wireless: Wired" -> "is wired"
        return Phrase("is", "are", value.lower(), fact)
    if "/" in key and fact.role == "feature":
        return None  # "Precious/Artificial Jewellery: Precious Jewellery": a catalog's either-or, not prose
    plain = _plain(value)
    if re.fullmatch(r"(?:gold|silver|platinum|metal) purity", key):  # whatever role the catalog's key was given
        return _material_phrase(fact, key, value, plain, fact_name)
    if fact.is_flag:
        return _flag_phrase(fact, key, value, plain, fact_name)
    if fact.role in _PHRASE_BY_ROLE:
        return _PHRASE_BY_ROLE[fact.role](fact, key, value, plain, fact_name)
    return _other_phrase(fact, key, value, plain, fact_name)


def _flag_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A yes/no fact: "Microwave Safe: No" -> "is not microwave safe", "Lid Included: Yes" -> "comes with a lid"."""
    words = key.split()
    negative = fact.negative
    if len(words) == 1 and singular(words[0]) in {singular(w) for w in re.findall(r"[a-z]+", fact_name.lower())}:
        return None  # "Tassels: Yes" of "Kings Multicolor Tassels": the product itself, not a part it has
    if "collection" in words:
        return None if negative else Phrase("is", "are", f"part of the {key}", fact)
    if words and words[-1] == "required" and len(words) > 1:  # "Batteries Required: Yes" -> "requires batteries"
        return None if negative else Phrase("requires", "require", _some(" ".join(words[:-1])), fact)
    if words and (words[-1] == "included" or words[0] == "with") and len(words) > 1:
        # "Lid Included: Yes", "With Pillow Cover: Yes" -> "comes with a lid", "comes with a pillow cover"
        thing = " ".join(words[:-1] if words[-1] == "included" else words[1:])
        return None if negative else Phrase("comes", "come", f"with {_some(thing)}", fact)
    # "Scratch Resistant" is how it is; "Secret Security Compartment" (an adjective's ending) a thing it has
    if words and (words[-1].endswith(_ADJECTIVE_END) and _adjective(words[-1]) or re.match(r"(?:non|anti)-", words[-1])) or \
            key.endswith(("safe", "washable", "resistant")):  # "Non-stick: Yes" -> "is non-stick"
        return Phrase("is" + " not" * negative, "are" + " not" * negative, key, fact)
    if negative or fact.role == "care" or not _a_thing(words[-1]):
        return None  # "Professional Care: Yes" is not "has a professional care"
    return Phrase("has", "have", _some(key), fact)  # "LED Indicators: Yes" -> "has LED indicators"


def _material_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """What it, or one of its parts, is made of: "made of cotton", "a steel case", "made of 18 K gold"."""
    if value.strip().lower() in ("fabric", "material", "other", "others", "mixed"):
        return None  # "Material: Fabric" says nothing a shopper did not know: not "is made of fabric"
    parts = [v.strip() for v in value.split(",") if v.strip()]
    if all(re.search(r"(?:free|proof|resistant)$", v, re.I) for v in parts):
        return Phrase("is", "are", series(value), fact)  # "Material: BPA free, Spill-proof": how it is, not what of
    if key in ("material", "fabric", "outer material", "material type"):
        if " " not in value and (value.lower().endswith(("en", "ed")) or value.lower() == "metallic") and \
                value.lower() not in ("linen", "printed"):
            return Phrase("is", "are", plain.lower(), fact)  # "Wooden", "Woollen": is wooden, not made of wooden
        made = series(value)  # "Blend Of Net And Satin" -> "made of a blend of net and satin"
        if made.lower() in ("synthetic", "natural"):  # "Material: Synthetic": an adjective, not a matter
            made = f"{made.lower()} material"
        return Phrase("is", "are", f"made of {'a ' * made.lower().startswith('blend ')}{made}", fact)
    purity = re.fullmatch(r"(gold|silver|platinum|metal) purity", key)
    if purity:  # "Gold Purity: 18 K" -> "is made of 18 K gold"
        metal = purity.group(1)
        plain = re.sub(r"^(?:s|sterling)\s*(?=\d{3}$)", "", plain, flags=re.I)  # "S 925": sterling 925 silver
        named = re.fullmatch(r"([A-Za-z]+)\s+(\d+(?:\.\d+)?)", plain)  # "Silver 925" -> "made of 925 silver"
        if named:
            return Phrase("is", "are", f"made of {named.group(2)} {named.group(1).lower()}", fact)
        said = plain if metal in plain.lower() or metal == "metal" else f"{plain} {metal}"
        return Phrase("is", "are", f"made of {said}" if re.match(r"\d", said) else said, fact)  # "made of 925 silver"
    if re.search(r"\d\s*%", value):  # "premium quality fabric: 85% Cotton 15% Polyester.": what it is made of
        shares = re.findall(r"\d+(?:\.\d+)?\s*%\s*[A-Za-z][A-Za-z ]*?(?=\s*\d|\s*,|\s*\.?$)", value.strip())
        if len(shares) > 1 and len(value) <= 60:
            listed = [" ".join(_plain(x.strip()).split()) for x in shares]
            return Phrase("is", "are", "made of " + ", ".join(listed[:-1]).lower() + " and " + listed[-1].lower(), fact)
    part = key.replace("material", "").replace("fabric", "").strip()
    value = re.sub(r"\s+material$", "", value.strip(), flags=re.I)  # "Body Material: croco leather material"
    plain = _plain(value)
    if part in ("primary", "main"):  # "Primary Material: Solid Wood" is what it is made of, not "a solid wood primary"
        return Phrase("is", "are", f"made of {series(value)}", fact)
    if part in ("box", "packaging", "package", "pouch"):
        return None  # "Box Material: Cardboard": what it is shipped in, not what it is
    if part in ("inner", "outer", "inside", "outside", "filling"):  # "Inner Material: Polyfibre"
        where = {"inner": "inside", "outer": "outside"}.get(part, part)
        matter = _MATTER.get(value.strip().lower(), series(value))  # "Inner Material: Woolen": made of wool inside
        return Phrase("is", "are", f"made of {matter} {where}", fact)
    named = fact_name.lower().split()
    of_product = part and set(part.split()) <= set(named) and not any(  # "Lunch Box Material" of a lunch box,
        named[i - 1] in ("with", "and", "&") for i, w in enumerate(named) if w in part.split() and i)
    if of_product:  # but "Pot Material: Wood" of a "Plant with Pot" is the pot's, not the plant's
        return Phrase("is", "are", f"made of {series(value)}", fact)
    if part:
        said = plain if part in plain.lower().split() else _ending_in(series(value), part)
        return Phrase("has", "have", _article(said), fact)
    return Phrase("is", "are", f"finished in {plain}", fact)


# three sides and a unit, after a catalog's label of which is which: "L*B*H-20x10x35 cms", "20 x 10 x 35 cm"
_SIDES = re.compile(r"(?:[LWBHD](?:\s*[*xX×]\s*[LWBHD]){2}\s*[-:=]?\s*)?(\d+(?:\.\d+)?)\s*[xX×*]\s*(\d+(?:\.\d+)?)"
                    r"\s*[xX×*]\s*(\d+(?:\.\d+)?)\s*(cms?|mms?|inch(?:es)?|in)\b\.?", re.I)


def _own_part(thing: str, fact_name: str) -> bool:
    """Whether a key's part is the product itself: "Dress Length" of a "... Sheath Dress" (the name's last noun),
    not "Cable Length" of a "USB Adapter with Cable For Xp Miro Battery Charger" or "Coaster Length" of a
    "Coaster Set"."""
    words = [singular(w) for w in re.findall(r"[a-z]+", fact_name.lower())]
    grouped = ("set", "kit", "combo", "pack", "pair", "box", "holder", "stand")
    if any(w == singular(thing) and (i + 1 < len(words) and words[i + 1] in grouped or
                                     i and words[i - 1] in ("with", "and")) for i, w in enumerate(words)):
        return False  # "Coaster Set": the coasters are not the set; "Plant with Pot": the pot is not the plant
    return singular(thing) in words[-3:] and words[-1] not in grouped


_ADJECTIVE_OF_SIDE = (("width", "wide"), ("height", "high"), ("length", "long"), ("depth", "in depth"),
                      ("diameter", "across"), ("thickness", "thick"))


def _size_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A measure or a size: "measures 98 mm high", "holds 350 ml", "comes in sizes S, M and L"."""
    box = re.fullmatch(r"(\d[\d.]*\s*\"?)\s*[xX×*]\s*(\d[\d.]*\s*\"?)", value.strip())
    if box and key in ("size", "dimensions", "dimension"):  # 'size: 3.5" X 4"' -> 'measures 3.5" x 4"'
        return Phrase("measures", "measure", f"{box.group(1).strip()} x {box.group(2).strip()}", fact)
    sides = _SIDES.fullmatch(value.strip())
    if sides and "dimension" in key:  # "Other Dimensions: L*B*H-20x10x35 cms" -> "measures 20 x 10 x 35 cm"
        unit = {"cms": "cm", "mms": "mm", "inches": "in", "inch": "in"}.get(sides.group(4).lower(), sides.group(4).lower())
        return Phrase("measures", "measure", f"{sides.group(1)} x {sides.group(2)} x {sides.group(3)} {unit}", fact)
    if len(value.split()) > 6 or value.count(",") > 1 or key.startswith("other") or re.search(r"[*x×]\d", value):
        return None  # "Strap Length - 195 mm, Strap Width - 21 mm, ...": a spec table, not a phrase
    seats = re.fullmatch(r"(\d+)[ -]?seater", value.strip(), re.I)
    if seats:  # "Seating Capacity: 3 Seater" -> "seats 3"
        return Phrase("seats", "seat", seats.group(1), fact)
    if re.fullmatch(r"[\d.]+", value.strip()) and (re.search(r"weight|length|width|height|depth|diameter|"
                                                             r"thickness|capacity|volume", key) or "." in value):
        return None  # "Gold Weight: 5.12", "Size: 1.14": a measure without its unit tells a shopper nothing sure
    if re.fullmatch(r"0(?:\.0+)?\s*[a-z]*", value.strip(), re.I):
        return None  # "Fitted Sheet Width: 0 cm": a blank in the catalog's form, not a size
    if key in ("water resistance depth", "water resistant depth", "water resistance") and re.search(r"\d", value):
        return Phrase("is", "are", f"water resistant to {plain}", fact)  # "Water Resistance Depth: 30 m"
    if ("capacity" in key or "volume" in key) and not re.search(r"\d", value):
        return None  # "Antennae Capacity: MU-MIMO Antenna": not an amount it holds
    if "capacity" in key or "volume" in key:
        return Phrase("holds", "hold", series(value) if "," in value else plain, fact)
    if "weight" in key and not re.search(r"\d", value):
        return None  # "Diamond Weight: ct": a unit with its number left blank
    carats = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:carats?|cts?)\.?", value.strip(), re.I)
    if carats and key.endswith(" weight") and key != "weight":  # "Diamond Weight: 0.27 carat" -> "0.27 carats of diamond"
        number = carats.group(1)
        return Phrase("has", "have", f"{number} carat{'s' * (number != '1')} of {key.removesuffix(' weight')}", fact)
    metal = re.fullmatch(r"(gold|silver|platinum) weight", key)
    if metal and re.fullmatch(r"\d+(?:\.\d+)?\s*(?:g|gm|grams?)", value.strip(), re.I):
        return Phrase("has", "have", f"{plain} of {metal.group(1)}", fact)  # "Silver Weight: 3 g" -> "3 g of silver"
    if "weight" in key:
        return Phrase("weighs", "weigh", plain, fact) if key == "weight" else \
            Phrase("has", "have", f"{_article(key)} of {plain}", fact)
    if not value[:1].isdigit() and key in ("width", "height", "length", "depth", "thickness"):
        # "Length: Midi/Knee Length" -> "a midi length": a catalog's two names for one length, the first said
        said = re.sub(r"^([a-z]+)/[a-z]+\b", r"\1", plain.lower())
        said = said if key in said.split() else f"{said} {key}"
        return Phrase("has", "have", _article(said), fact)
    if value.strip().lower() in ("free", "free size", "one size", "freesize"):
        return Phrase("comes", "come", "in one free size", fact)
    for word, adjective in _ADJECTIVE_OF_SIDE:
        if key == word:
            return Phrase("is", "are", f"{plain} {adjective}", fact)
    labelled = [_LABELLED_MEASURE.fullmatch(part.strip()) for part in value.split(",")]
    if len(labelled) > 1 and all(labelled):  # "Size: Height 5 cm, diameter 6 cm" -> "measures 5 cm high and ..."
        said = [f"{m.group(2)} {_ADJECTIVE_OF[m.group(1).lower()[0]]}" for m in labelled]
        return Phrase("measures", "measure", ", ".join(said[:-1]) + " and " + said[-1], fact)
    if "available" in key or key == "size" or key == "sizes":
        sizes = series(value)
        return Phrase("comes", "come", f"in size{'s' * (',' in value)} {sizes}", fact)
    part = re.fullmatch(r"([a-z]+) (?:height|length|width|depth|diameter|size)", key)
    measure = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(inch|inches|in|cm|mm|m|ft|feet)\.?", value.strip(), re.I)
    if part and measure and (part.group(1) == "heel" or part.group(1) in ("cable", "cord", "wire", "chain", "screen", "display")
                             and not _own_part(part.group(1), fact_name)):  # heels have a heel; a cable is its length
        # "Heel Height: 0.5 inch" -> "a 0.5-inch heel": copy puts a part's measure before the part
        unit = {"inches": "inch", "in": "inch", "feet": "foot", "ft": "foot"}.get(measure.group(2).lower(), measure.group(2).lower())
        joined = f"{measure.group(1)}-{unit}" if unit in ("inch", "foot") else f"{measure.group(1)} {unit}"
        return Phrase("has", "have", _article(f"{joined} {part.group(1)}"), fact)
    sided = re.fullmatch(r"([a-z]+(?: [a-z]+)?) (width|height|length|depth|thickness|diameter)", key)
    if sided and re.fullmatch(r"\d[\d.]*\s*(?:mm|cm|m|inch(?:es)?|in|ft|feet|\"|'')\.?(?:\s*/\s*\d[\d.]*\s*(?:mm|cm|m|inch(?:es)?|in))?",
                             value.strip(), re.I) and sided.group(1) not in ("max", "maximum", "minimum", "heel"):
        # "Holder Width: 8 cm" -> "a holder 8 cm wide"; the product's own ("Pizza Cutter Length") -> "is ... long"
        said = f"{plain} {dict(_ADJECTIVE_OF_SIDE)[sided.group(2)]}"
        thing = sided.group(1).split()[-1]
        if _own_part(thing, fact_name) or thing in ("exterior", "outer", "external", "outside", "dress", "garment", "body",
                                                    "total", "overall", "product", "item"):
            # "Dress Length" of a dress, "Exterior Width": the product's own size; not a "Coaster Set"'s coasters
            return Phrase("is", "are", said, fact)
        return Phrase("has", "have", f"{_article(sided.group(1))} {said}", fact)
    if part and key.endswith(" size") and re.fullmatch(r"(?:small|medium|large|big|mini|standard)", value.strip(), re.I):
        return Phrase("has", "have", _article(f"{value.strip().lower()} {part.group(1)}"), fact)  # "Pot Size: Medium" -> "a medium pot"
    return Phrase("has", "have", f"{_some(key)} of {plain}", fact)


def _colour_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A colour it comes in, or a part's colour: "comes in black or red", "has a black dial"."""
    if key in ("color", "colour", "available colors", "available colours", "colors", "colours"):
        if value.strip().lower() in _LOOKS:  # "Color: Clear" -> "is clear", not "comes in clear"
            return Phrase("is", "are", _LOOKS[value.strip().lower()], fact)
        choice = "available" in key or key.endswith("s")  # a choice of colours, not one product's colours
        if not choice and re.search(r",|/|\band\b|&", value):
            # "Color: Blue, Silver" is one product in two colours: "they are blue and silver"; "they come in blue
            # and silver" still read as a choice to round ten's editor
            return Phrase("is", "are", series(value.replace("&", ",")), fact)
        return Phrase("comes", "come", f"in {series(value, 'or' if choice else 'and')}", fact)
    part = key.replace("color", "").replace("colour", "").strip()
    if part in ("type", "shade", "family", "name", "code", "primary", "main"):  # "Color Type: Black" -> "comes in black"
        return Phrase("comes", "come", f"in {series(value)}", fact)
    if part and part in value.lower().split():  # "Gold Color: Yellow Gold" -> "comes in yellow gold"
        return Phrase("comes", "come", f"in {series(value)}", fact)
    return Phrase("has", "have", _article(f"{series(value)} {part}".strip()), fact)


def _pattern_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A pattern: "has a striped pattern"."""
    if plain.lower() in ("self", "regular", "normal", "standard", "other", "others"):
        return None  # "Strap Design: Self": a catalog's default, nothing to say
    if key.split()[-1] in plain.lower().split():
        return Phrase("has", "have", _article(plain.lower()), fact)
    return Phrase("has", "have", _article(f"{plain.lower()} {key}"), fact)


def _use_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """Who or what it is for: "made for women", "suitable for Dell U661H", "right for casual occasions"."""
    from engine.scores.claims import noun_share

    if value.strip().lower() == "unisex":  # "Ideal For: Unisex", "Suitable For: Unisex": not "made for unisex"
        return Phrase("is", "are", "unisex", fact)
    if key in ("ideal for", "gender") or key.startswith("ideal"):
        return Phrase("is", "are", f"made for {_audience(value)}", fact)
    if key == "occasion":
        return Phrase("is", "are", f"right for {_occasions(value)}", fact)
    if key == "climate":
        if re.search(r"\ball[- ]weather\b", value, re.I):  # "All-weather, Indoor, Mild, Spring": all of them
            return Phrase("is", "are", "made for all weather", fact)
        return Phrase("is", "are", f"suited to {series(value)} conditions", fact)
    if key == "activity":
        things = [v.strip() for v in value.split(",") if v.strip() and noun_share(v.strip().split()[-1]) >= 0.5]
        things = ["the gym" if t.lower() == "gym" else t for t in things[:3]]  # "made for yoga and the gym"
        return Phrase("is", "are", f"made for {series(', '.join(things))}", fact) if things else None
    if "room" in key:
        return Phrase("is", "are", f"made for the {series(value)}", fact)
    return Phrase("is", "are", f"suitable for {_names_or_series(value)}", fact)


# How copy says an occasion: "Casual" is casual wear, "Party-Wedding" parties and weddings; any other value
# is "<value> occasions".
_OCCASION = {"casual": "casual wear", "party": "parties", "wedding": "weddings", "engagement": "engagements", "everyday": "everyday wear", "formal": "formal wear", "workwear": "work",
             "work": "work", "sports": "sports", "sport": "sports", "lounge wear": "lounging", "beach wear": "the beach",
             "festive": "festive occasions", "religious": "religious occasions", "special": "special occasions"}


def _occasions(value: str) -> str:
    """"Party-Wedding, Casual" -> "parties, weddings and casual wear"."""
    items = []
    for item in re.split(r"\s*,\s*", value.strip()):
        parts = re.split(r"\s*-\s*|\s+and\s+", item)  # "Party-Wedding", "Wedding and Engagement": two occasions
        for part in (parts if len(parts) > 1 and all(p.lower().strip() in _OCCASION for p in parts) else [item]):
            if part.strip().lower() == "love" and "," in value:
                continue  # "Love" beside other occasions: a catalog's gifting tag, not an occasion to name
            said = _OCCASION.get(part.strip().lower(), f"{part.strip().lower()} occasions")
            if said not in items:
                items.append(said)
    for tail in (" occasions", " wear"):  # "formal wear and casual wear" -> "formal and casual wear"
        if sum(i.endswith(tail) for i in items) > 1:
            plain = [i for i in items if not i.endswith(tail)]
            items = plain + [series(", ".join(i.removesuffix(tail) for i in items if i not in plain)) + tail]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_SEASONS = {"spring": "spring", "summer": "summer", "fall": "autumn", "autumn": "autumn", "winter": "winter"}


def climate_sentence(value: str, plural: bool) -> str:
    """"Indoor, Warm, Spring" -> "Wear it indoors, when it is warm, and in spring.": a climate said as when to
    wear it, in words that add no noun the input lacks ("All-weather" -> "in any weather")."""
    items = [v.strip().lower() for v in re.split(r"\s*,\s*", value) if len(v.strip()) > 2]
    pronoun = "them" if plural else "it"
    if any(re.fullmatch(r"all[- ]weather", i) for i in items):
        return f"Wear {pronoun} in any weather."
    parts = ["indoors"] if "indoor" in items else []
    when = [i for i in items if i not in ("indoor", *_SEASONS)]
    if when:
        parts.append("when it is " + series(", ".join(when), "or"))
    seasons = [_SEASONS[i] for i in items if i in _SEASONS]
    if seasons:
        parts.append("in " + series(", ".join(seasons)))
    if not parts:
        return ""
    listed = len(parts) > 2 or "," in parts[0]  # "when it is cool, mild or windy, and in spring"
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + (", and " if listed else " and ") + parts[-1]
    return f"Wear {pronoun} {said}."


def _care_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A care instruction said as a phrase (care_sentence writes the sentence)."""
    return Phrase("can be", "can be", f"cared for as follows: {plain[:1].lower() + plain[1:]}", fact) \
        if len(value.split()) > 3 else Phrase("is", "are", f"{plain.lower()} only" if "only" not in plain.lower()
                                               else plain.lower(), fact)


_PAIRED = {"boot", "shoe", "sandal", "flat", "bellie", "belly", "slipper", "heel", "sneaker", "loafer", "sock",
           "floater", "flip", "moccasin", "legging"}  # sold in pairs: "Pack of 2" is one pair


def _package_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """What comes in the box: "comes as a pack of 6", "comes with an extender plug"."""
    plain = re.sub(r"^(?:one|a single)\s+(?:piece of\s+)?", "1 ", plain, flags=re.I)  # "one machine": one of it
    plain = re.sub(r"(\d+ [A-Za-z]+(?: [A-Za-z]+)?) (?=\d+ [A-Za-z])", r"\1 and ", plain)  # "6 table mats 6 napkins"
    lowered = plain.lower()
    named = {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]+", fact_name) if len(w) > 2}
    if lowered in ("1", "pack of 1", "set of 1") or re.fullmatch(r"1 [a-z-]+", lowered) or \
            re.fullmatch(r"1 [a-z -]+", lowered) and any(w.rstrip("s") in named for w in lowered.split()[1:] if len(w) > 3):
        return None  # one of it ("1 Mug" for a mug, "1 Cushion Cover" for a cushion cover): nothing to say
    if not re.search(r"\b(?:[2-9]|\d{2,})\b", lowered) and \
            set(re.findall(r"[a-z]+", lowered)) <= _BOX_WORDS | {w.lower() for w in re.findall(r"[A-Za-z]+", fact_name)}:
        return None  # "Sales Package: combo Set-Hypnotty" for the "Spinz Combo Set": the name again
    last = re.findall(r"[a-z]+", lowered)[-1:] or [""]
    if not re.search(r"\d", lowered) and "," not in value and last[0].rstrip("s") in named:
        return None  # "Sales Package: Bath Towel" for a "Set of Towels", "Quilt" for "... Quilts & Comforters Red"
    if re.fullmatch(r"(?:pack of )?2", lowered) and named & _PAIRED:
        return None  # "Pack of 2" boots: one pair, not two
    counted = re.fullmatch(r"(\d+)\s+(pcs?\s+|pieces?\s+)?([a-z]+)", lowered)
    words = [w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]+", fact_name)]
    thing = counted.group(3).rstrip("s") if counted else ""
    modifier = counted and any(w == thing and i + 1 < len(words) and words[i + 1] not in (
        "set", "pack", "kit", "combo", "pair", "box", "of") for i, w in enumerate(words))
    pieces = counted and counted.group(2) and thing in words  # "2 Pcs Tassels" of tassels: two of the product
    if counted and (modifier or pieces) and int(counted.group(1)) > 1:
        # "Sales Package: 2 MATTRESS" for a "Mattress Protector": two of the product, not two mattresses
        return Phrase("comes", "come", f"as a pack of {counted.group(1)}", fact)
    # "and" joins a combo's two products ("Floralina and Red Horizon Deodorants"); "with" joins what comes along
    listed = value if "," in value else re.sub(r"\s+with\s+", ",", value, count=1, flags=re.I) \
        if re.match(r"(?:1\s+)?[A-Za-z]+\s+with\s", value.strip(), re.I) else ""
    if listed:  # "Warranty Card, 1 Ring" for a ring, "Blanket With Storage Bag" for a blanket: the ring and the
        # blanket are the product; what comes with it is the card and the bag
        others = [v for v in listed.split(",") if v.strip() and not (
            re.fullmatch(r"(?:1\s+)?[A-Za-z]+", v.strip()) and v.strip().split()[-1].lower().rstrip("s") in named)]
        if others and len(others) < len([v for v in listed.split(",") if v.strip()]):
            value = ",".join(others)
            plain = _plain(value.strip())
            lowered = plain.lower()
    if "(" in value or " - " in value or (len(value.split()) > 8 and "," not in value):
        return None  # "Wild Stone Red Deodorant Spray - 150 ml(For Men) Wild Stone ...": a listing, not prose
    if lowered.startswith("pack of") or lowered.startswith("set of"):
        return Phrase("comes", "come", f"as {_article(lowered)}", fact)
    if value.isdigit():
        return Phrase("comes", "come", f"as a pack of {value}", fact)
    if "," not in value and not re.search(r"\d", value):  # "In The Box: Extender Plug" -> "an extender plug"
        item = plain[:1].lower() + plain[1:] if re.fullmatch(r"[A-Z][a-z]+(?: [a-z]+)*", plain) else plain
        return Phrase("comes", "come", f"with {_some(item)}", fact)
    items = [_plain(v.strip()) for v in value.split(",") if v.strip()]
    if 1 < len(items) <= 4 and not re.search(r"\d", value) and all(len(v.split()) <= 3 for v in items):
        # "In The Box: Router, Power Adapter, Manual" -> "a router, a power adapter and a manual"
        said = [_some(v[:1].lower() + v[1:] if v[:1].isupper() and v[1:2].islower() else v) for v in items]
        return Phrase("comes", "come", f"with {', '.join(said[:-1])} and {said[-1]}", fact)
    return Phrase("comes", "come", f"with {_counted_plural(series(value) if ',' in value else plain)}", fact)


def _warranty_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A warranty: "comes with a 3-year warranty"."""
    if re.match(r"(?:no|not|without)\b", plain, re.I):
        return None  # "No Warranty": nothing a description sells with
    words = {"one": "1", "two": "2", "three": "3", "five": "5", "six": "6", "ten": "10", "twelve": "12"}
    plain = re.sub(r"^(one|two|three|five|six|ten|twelve)\b", lambda m: words[m.group(1).lower()], plain, flags=re.I)
    term = re.match(r"(\d+)\s*(year|month|day)s?\b\s*(.*)$", plain, re.I)  # "One Year" -> "a 1-year warranty"
    if term:  # "3years", "12 Months Manufacturer Warranty" -> "a 3-year warranty", "a 12-month manufacturer warranty"
        rest = term.group(3).strip()
        # "10 Days Return Policy" is a return policy, not "a 10-day return policy warranty"
        rest = rest if re.search(r"warranty|guarantee|policy|replacement", rest, re.I) else f"{rest} warranty".strip()
        return Phrase("comes", "come", f"with a {term.group(1)}-{term.group(2).lower()} {rest}", fact)
    return Phrase("comes", "come", f"with {_article(plain) if plain[:1].isdigit() else plain}", fact)


def _style_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """A style, a shape or a part: "has half sleeves", "has a round dial", "is insulated, with a full zip"."""
    if key.startswith("sleeve") and plain.lower().endswith(" sleeve"):  # "Sleeve: Half Sleeve" -> "half sleeves"
        return Phrase("has", "have", plain.lower() + "s", fact)
    if key.startswith("sleeve") and plain.lower().endswith(" sleeves"):  # "Sleeve: Short Sleeves"
        return Phrase("has", "have", plain.lower(), fact)
    last = key.split()[-1] if key else ""
    if last and last in re.split(r"[\s-]+", plain.lower()):  # "Neck: V-Neck" -> "a v-neck", not "a v-neck neck"
        return Phrase("has", "have", _article(plain.lower()), fact)
    if plain.lower() in ("self", "regular", "normal", "standard", "other", "others", "na"):
        return None  # "Strap Design: Self": a catalog's default, nothing to say
    part_quality = len(key.split()) > 1 and key.split()[-1] in ("shape", "color", "colour", "finish", "type")
    if not key.startswith("style") and len(value.split()) == 1 and value.lower().endswith(_ADJECTIVE_END + ("less",)) \
            and not part_quality:  # "Amethyst Shape: Oval" is the stone's shape, not "the ring is oval"
        return Phrase("is", "are", value.lower(), fact)
    if "series" in key or "collection" in key:
        return Phrase("is", "are", f"from the {plain} {key.split()[-1]}", fact)
    if "feature" in key:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if len(parts) > 1 and len(parts) <= 5 and all(len(p.split()) <= 3 for p in parts) and key == "features":
            return _features_phrase(value, fact)
        short = [p for p in parts if len(p.split()) <= 3]
        if len(parts) > 2 and len(short) >= 2:  # "Easy Grip, Spill Proof, ... BPA Free": a few, said as features
            return _features_phrase(", ".join(short[:3]), fact)
        if len(parts) > 2:
            return None  # "Easy Transition from Bottle to Cup, Smooth Flip and Sip Action, ...": not one phrase
        if len(parts) == 1 and (plain.split()[-1].lower() in ("product", "products", "item") or
                                _adjective(plain.split()[0]) and set(plain.lower().split()[1:]) & _FUNCTION_WORDS):
            return None  # "BIO WASHED PRODUCT", "Durable and flexible for portability": no part it has
        plural_first = plain.split()[0].lower().endswith("s") and not plain.split()[0].lower().endswith("ss")
        single = plain.lower() if plural_first else _article(plain.lower())  # "stones studded on dial"
        return Phrase("has", "have", f"{series(value)} features" if len(parts) > 1 else single, fact)
    if key.startswith("style"):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        qualities = [p for p in parts if _adjective(p) and p.lower() not in ("basic", "regular")]
        zips = [p for p in parts if re.fullmatch(r"(?:full|half|quarter|¼|½)[ -]zip", p, re.I)]
        if "," in value and (qualities or zips):
            # "Style: Jacket, Insulated, Hard Shell, Full zip, Reversible" -> "is insulated and reversible, with
            # a full zip": the qualities and the zip; the shelves ("Jacket", "Hard Shell") left out
            listed = series(", ".join(qualities)) if qualities else ""
            zipped = f"with {_article(_plain(zips[0]).lower())}" if zips else ""
            return Phrase("is" if qualities else "comes", "are" if qualities else "come",
                          f"{listed}, {zipped}" if listed and zipped else listed or zipped, fact)
        if "," in value or value.lower().endswith(_ADJECTIVE_END):
            return None  # "Style: Workout Pants, Base Layer": a catalog's shelf, not a style a shopper reads
        return Phrase("has", "have", _article(f"{series(value)} style"), fact)
    # "Dial Shape: Round" -> "a round dial": a part a product has one of; "Stone Shape: Round" keeps "shape",
    # since a ring may have three stones and "a round stone" would count them
    thing = re.sub(r"\s+type$", "", key)
    if re.fullmatch(r"(?:dial|case|bezel|toe|tip|neck|collar|buckle|frame|lens|face) shape", key):
        thing = key.removesuffix(" shape")
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > 3:  # "Strap: Adjustable, Cross Body, Detachable, Padded, Shoulder, Single": its qualities
        items = [v for v in items if _adjective(v)][:3] or items  # (three at most), not a six-item spec list
        value = ", ".join(items)
    if "," in value and all(_adjective(v) for v in items):
        # "Strap: Adjustable, Double, Padded" -> "an adjustable, double, padded strap"
        return Phrase("has", "have", _article(f"{', '.join(_plain(v).lower() for v in items)} {thing}"), fact)
    return Phrase("has", "have", _some(_ending_in(series(value).lower(), thing)), fact)


def _other_phrase(fact: Fact, key: str, value: str, plain: str, fact_name: str) -> Phrase | None:
    """Any other key: a quantity, a count, a type, compatibility, a short value said with its key."""
    if re.fullmatch(r"spf(?: ratings?)?", key) and re.fullmatch(r"\d+\+?", value.strip()):
        return Phrase("has", "have", f"an SPF of {value.strip()}", fact)  # "SPF Ratings: 50", not "50 spf ratings"
    if key in ("quantity", "net quantity", "net content", "net contents", "net volume", "net weight") and \
            re.fullmatch(r"\d[\d.]*\s*[A-Za-z]{1,3}", value.strip()):
        return Phrase("contains", "contain", plain, fact)  # "Quantity: 30 ml" -> "contains 30 ml"
    if key.endswith(" by") and len(value.split()) <= 3 and not re.search(r"\d", value):
        return Phrase("is", "are", f"{key} {plain.lower()}", fact)  # "Powered By: Battery" -> "is powered by battery"
    needs = re.fullmatch(r"([a-z]+s) required", key)
    if needs and re.fullmatch(r"\d+(?: [A-Za-z0-9]+)?", value.strip()):  # "Batteries Required: 4 AAA"
        return Phrase("requires", "require", f"{value.strip()} {needs.group(1)}", fact)
    if key == "power source" and re.fullmatch(r"[A-Za-z -]+ powered", value.strip(), re.I):
        return Phrase("is", "are", plain.lower(), fact)  # "Power Source: Battery Powered" -> "is battery powered"
    if re.fullmatch(r"(?:power (?:requirement|supply|input)|(?:input |operating )?voltage)", key) and \
            re.search(r"\d\s*(?:v|volts?)\b", value, re.I) and len(value) <= 30:
        return Phrase("runs", "run", f"on {plain}", fact)  # "Power Requirement: 110 - 120 V, 50 Hz"
    if re.search(r"\b(?:application|usage) area$", key) and len(value.split()) <= 2 and "," not in value and \
            value.strip().lower() not in ("all", "any", "other", "others", "na"):  # "Application Area: All" says nothing
        return Phrase("is", "are", f"for use on the {plain.lower()}", fact)  # "Soap Application Area: Body"
    thing = key.removesuffix(" type").strip()
    if key.endswith(" type") and thing and set(thing.split()) <= set(fact_name.lower().split()):
        return None  # "Glass Type: Multipurpose" of a glass set: a shelf of the catalog, not a fact to say
    if key.endswith(" type") and thing and len(value.split()) <= 3 and thing not in ("skin", "hair") and \
            singular(value.split()[-1].lower()) == singular(thing.split()[-1]) and \
            singular(thing.split()[-1]) in {singular(w) for w in re.findall(r"[a-z]+", fact_name.lower())}:
        return Phrase("is", "are", _article(value.lower()), fact)  # "Soap Type: Bathing Soap" -> "is a bathing soap"
    if key.endswith(" type") and len(value.split()) == 1 and value.lower().endswith("ing"):
        return Phrase("is", "are", f"made for {value.lower()}", fact)  # "Pan Type: Roasting"
    if key.endswith(" type") and len(value.split()) == 1 and value.lower().endswith(("al", "ic", "ous")):
        return Phrase("is", "are", value.lower(), fact)  # "Organic Type: Herbal" -> "is herbal"
    counted = re.fullmatch(r"(?:number|no\.?) of (.+)", key)
    if counted and value.isdigit():  # "Number of hooks: 8" -> "has 8 hooks", "Number of Gemstones: 1" -> "1 gemstone"
        things = counted.group(1)
        if value == "1":  # "1 gemstone", "1 soap per pack"
            words = things.split()
            at = next((i - 1 for i, w in enumerate(words) if i and w in ("per", "in", "of", "for")), len(words) - 1)
            words[at] = singular(words[at])
            things = " ".join(words)
        return Phrase("has", "have", f"{value} {things}", fact)
    if value.isdigit() and int(value) > 1 and re.fullmatch(r"[a-z -]*[a-z]s", key) and not key.endswith("ss"):
        return Phrase("has", "have", f"{value} {key}", fact)  # "Antennas: 2" -> "has 2 antennas"
    if re.fullmatch(r"\d+ [a-z]+", plain.lower()) and counted and \
            singular(plain.split()[-1].lower()) == singular(counted.group(1).split()[-1]):
        return Phrase("has", "have", plain, fact)  # "Number of Threads: 2 Threads" -> "has 2 threads"
    if value[:1].isdigit() and len(value.split()) <= 3:
        return Phrase("has", "have", f"{_some(key)} of {plain}", fact)
    if key.startswith("other") and len(value.split()) <= 4 and value.split()[-1].lower() not in ("product", "products", "item") \
            and not set(value.lower().split()) & _FUNCTION_WORDS:  # "Other Details: Zipper Closure" -> "has a zipper closure"
        return Phrase("has", "have", _article(plain[:1].lower() + plain[1:]), fact)
    if re.search(r"\bsupported\b|compatible", key) and len(value) <= 60:  # "OS Supported: Windows XP, Vista"
        return Phrase("works", "work", f"with {_names_or_series(value)}", fact)
    if "container" in key or "packaging" in key:  # "Container Type: Bottle" -> "comes in a bottle"
        return Phrase("comes", "come", f"in {_article(plain.lower())}", fact) if len(value.split()) <= 2 else None
    if re.search(r"\b(?:skin|hair) (?:type|condition|concern)\b", key):  # "Skin Type: Combination Skin" -> "suits combination skin"
        thing = key.split()[0]
        kinds = series(value).lower()  # "Normal Skin, Oily Skin" -> "normal skin and oily skin"
        said = kinds if thing in kinds else f"{kinds} {thing}"
        return Phrase("is", "are", f"suited to {said}", fact)
    if key.endswith(" rating") and value.lower().startswith(key.split()[0]):
        return Phrase("has", "have", _article(f"{value.strip()} rating"), fact)  # "PA Rating: PA+++" -> "a PA+++ rating"
    if key.endswith(" protection") and len(value.split(",")) > 1 and len(value) <= 30:
        return Phrase("has", "have", f"{series(value)} protection", fact)  # "UV Protection: UVA, UVB"
    if key.split()[0] in ("sport", "sports", "game"):  # "Sport: Skating", "Sport Type: Skating"
        return Phrase("is", "are", f"made for {series(value).lower()}", fact)
    if len(value.split()) <= 2 and ":" not in value and value.lower() not in ("all", "any", "other", "others") \
            and value.split()[0].lower() not in ("no", "not", "none"):  # "Service Type: No damage": not "a no damage service"
        told = set(plain.lower().split()) | {"type"}
        rest = " ".join(w for w in key.split() if w not in told)
        return Phrase("has", "have", _some(f"{plain} {rest}".strip()), fact)
    return None  # a long free-text value: stated by the model's sentences or the bullets, not forced into one


_PHRASE_BY_ROLE = {"material": _material_phrase, "size": _size_phrase, "colour": _colour_phrase, "pattern": _pattern_phrase, "use": _use_phrase, "care": _care_phrase, "package": _package_phrase, "warranty": _warranty_phrase, "style": _style_phrase}


def _a_thing(word: str) -> bool:
    """A word for a thing one can have ("lid", "pocket", "Bluetooth"), not for an act or a quality ("care")."""
    from engine.scores.claims import wordnet

    wn = wordnet()
    synsets = wn.synsets(word.lower(), "n") if wn is not None else []
    things = ("noun.artifact", "noun.object", "noun.body", "noun.substance", "noun.shape", "noun.food", "noun.plant")
    return not synsets or any(s.lexname() in things for s in synsets[:3])


def _adjective(value: str) -> bool:
    """"Lightweight", "Reflective", "Padded": one word that says how the product is, not a thing it has
    ("Pocket", "Crystal"). WordNet decides where it knows the word, its ending where it does not ("Lockable")."""
    from engine.scores.claims import wordnet

    lower = value.lower()
    if " " in value or not lower.isalpha():
        return False
    wn = wordnet()
    if wn is None:
        return lower.endswith(_ADJECTIVE_END)
    adjectives, nouns = len(wn.synsets(lower, "a")), len(wn.synsets(lower, "n"))
    if not adjectives and not nouns:
        return lower.endswith(_ADJECTIVE_END)
    return adjectives >= nouns or bool(adjectives) and lower.endswith(("weight", "proof"))


def _features_phrase(value: str, fact: Fact) -> Phrase:
    """"Hydration Pocket, Audio Pocket, Lightweight, Laptop Sleeve" -> "is lightweight, with a hydration pocket,
    an audio pocket and a laptop sleeve": the things with their articles, the qualities said as qualities."""
    # a long list ("Easy Grip, Spill Proof, Easy to Hold, Avoids Leakage, BPA Free, ...") said in part: the
    # first four, which keeps the sentence one a shopper reads
    parts = [p.strip() for p in value.split(",") if p.strip()][:4]
    def quality(part: str) -> bool:  # "Lightweight", "Spill Proof", "BPA Free", "Easy to Hold", "Curve Shaped"
        last = part.split()[-1].lower()
        return _adjective(part) or " " in part and (last.endswith(("proof", "free", "safe", "resistant", "shaped"))
                                                     or part.lower().startswith("easy to "))
    qualities = [_plain(p).lower() for p in parts if quality(p)]
    things = [_article(_plain(p)) for p in parts if not quality(p)]
    def listed(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    if qualities and things:
        return Phrase("is", "are", f"{listed(qualities)}, with {listed(things)}", fact)
    if qualities:
        return Phrase("is", "are", listed(qualities), fact)
    return Phrase("has", "have", listed(things), fact)


# "Height 5 cm", "diameter: 6 cm": a measure with its dimension's name in front.
_LABELLED_MEASURE = re.compile(r"(height|width|length|depth|diameter|thickness)\s*:?\s*(\d[\d.]*\s*[A-Za-z]+)", re.I)
_ADJECTIVE_OF = {"h": "high", "w": "wide", "l": "long", "d": "across", "t": "thick"}

# Colour values that are how the thing looks rather than a colour it comes in.
_LOOKS = {"clear": "clear", "transparent": "transparent", "multicolor": "multicoloured", "multicolour": "multicoloured",
          "multi-color": "multicoloured", "multi-colour": "multicoloured", "multi color": "multicoloured",
          "multi": "multicoloured", "multicolored": "multicoloured", "multicoloured": "multicoloured"}

def _counted_plural(text: str) -> str:
    """"8 led light" -> "8 led lights", "1 casserole and 3 handi" kept where WordNet does not know the noun."""
    from engine.scores.claims import wordnet

    wn = wordnet()

    def plural(match: re.Match) -> str:
        number, words = match.group(1), match.group(2).split()
        last = words[-1].lower() if words[-1].isupper() and len(words[-1]) > 3 else words[-1]  # "2 MATTRESS"
        if int(number) < 2 or wn is None or not wn.synsets(last.lower(), "n") or \
                wn.morphy(last.lower(), "n") != last.lower() or (last.endswith("s") and not last.endswith("ss")):
            return match.group(0)
        if re.search(r"(?:s|x|z|ch|sh)$", last, re.I):
            last += "es"
        elif re.search(r"[^aeiou]y$", last, re.I):
            last = last[:-1] + "ies"
        else:
            last += "s"
        return f"{number} {' '.join(words[:-1] + [last])}"

    return re.sub(r"\b(\d+) ((?:[A-Za-z-]+ ){0,3}[A-Za-z-]+)(?=$|,| and )", plural, text)


# Words of a sales package that add nothing to the product's name ("Combo Set", "1 Set").
_BOX_WORDS = {"combo", "set", "pack", "of", "piece", "pieces", "pcs", "unit", "units", "and", "with"}




def _negated_run(run: list[str]) -> str:
    """"is not scratch resistant" + "water resistant" -> "is neither scratch resistant nor water resistant"
    ("is not X and Y" reads as if it were Y); three or more: "is not X, Y or Z". "" for any other run."""
    negation = re.match(r"(is|are) not ", run[0]) if len(run) > 1 else None
    if not negation:
        return ""
    first = run[0][negation.end():]
    if len(run) == 2:
        return f"{negation.group(1)} neither {first} nor {run[1]}"
    return f"{run[0]}, " + ", ".join(run[1:-1]) + f" or {run[-1]}"


def join_phrases(phrases: list[Phrase], plural: bool) -> str:
    """"has a yellow strap and a black dial": a verb the phrase before already said is not said again, and
    phrases under one verb stay together ("has a round neck and a zipper, and is sleeveless")."""
    runs: list[list[str]] = []
    previous, before = None, []
    for phrase in phrases:
        verb = phrase.plural if plural else phrase.singular
        # a phrase that holds a list keeps its own verb: "is made for school and yoga, and is waterproof ...",
        # "is suited to indoor and warm conditions, and is part of the eco collection"
        listing = "," in phrase.rest + " ".join(before) or " and " in f" {phrase.rest} {' '.join(before)} "
        if verb == previous and (verb not in ("is", "are") or not listing):
            rest = phrase.rest.split()
            if len(before) > 2 and len(rest) > 2 and before[:2] == rest[:2] and rest[0] in ("made", "suited"):
                rest = rest[1:]  # "made for the gym and for men": the participle once
            runs[-1].append(" ".join(rest))
        else:
            runs.append([phrase.text(plural)])
        previous, before = verb, phrase.rest.split()
    said = [_negated_run(run) or (" and ".join(run) if len(run) <= 2 else ", ".join(run[:-1]) + " and " + run[-1])
            for run in runs]
    if len(said) == 1:
        return said[0]
    if len(said) == 2 and any("," in part or " and " in part for part in said):
        # "is lightweight, with a laptop sleeve, and has a padded strap"; "is made of cotton and linen, and measures ..."
        return f"{said[0]}, and {said[1]}"
    if len(said) > 2 and any(len(run) > 1 for run in runs):
        return ", ".join(said[:-1]) + ", and " + said[-1]
    return ", ".join(said[:-1]) + " and " + said[-1]


def _name_core(plan: ContentPlan) -> str:
    """The name before what it is for or comes with: "Sun Shade" of "Sun Shade For Maruti Alto"."""
    parts = re.split(r"\s+(?:for|with|in)\s+", plan.name, maxsplit=1, flags=re.I)
    # a short tail is what it is for or comes with; a long one holds the thing itself ("Alphabets With ... Mug")
    return parts[0] if len(parts) == 2 and len(parts[1].split()) <= 3 else plan.name


def singular(word: str) -> str:
    """"watches" -> "watch", "batteries" -> "battery", "glass" kept: enough to match a name to a shelf."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(?:ch|sh|x|ss)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _shelves(plan: ContentPlan) -> set[str]:
    """The nouns of the shelves below the department ("hair care > conditioners" -> care, hair, conditioner),
    less who they are for ("baby", "men") and whose they are ("Gift Island Wrist Watches")."""
    levels = re.split(r"\s*[>/]\s*", plan.category)
    brand = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{plan.brand} {plan.line}")}
    return {singular(w) for w in re.findall(r"[a-z]+", " ".join(levels[1:]))} - brand - {
        "baby", "babie", "man", "men", "women", "woman", "kid", "boy", "girl", "unisex", "care", "and"}


def _head(plan: ContentPlan) -> str:
    """What the product is, in one noun from its name ("mug", "shoes"), to vary the subject; "" if unsure.
    A word that is a verb as often as a noun ("dress") counts where the product's type says it too."""
    from engine.scores.claims import is_concrete_noun, noun_share

    # "Sprite Yoga Strap 10 foot": a measure after the name is not what the product is
    words = re.findall(r"[A-Za-z]+", re.sub(r"\s+\d[\d.]*\s*(?:mm|cm|m|ml|l|kg|g|ft|foot|feet|inch|in|oz|lb|gb|tb|w|v|mah)"
                                            r"\.?$", "", _name_core(plan), flags=re.I))  # not "Bruno Manetti 664 Boots"
    last = words[-1].lower() if words else ""
    shelves = _shelves(plan)  # the brand's words are not among them
    if shelves and singular(last) not in shelves:
        # "... Conditioner Aloe Vera And Avocado" under "Hair Care > Conditioners": the product is the
        # conditioner, not the avocado; the last word of the name the category also says is what it is
        shelved = [w.lower() for w in words[1:] if singular(w.lower()) in shelves and len(w) > 3]
        # "Hair Claw" under "Hair Accessories": the shelf's word names what kind of claw, the claw is the thing
        # ("Mattress Protector", "Key Holder": a thing that does something to the shelf's thing; not "Footwear
        # Lifestyle")
        compound = len(words) > 2 and words[-2].lower() == (shelved or [""])[-1] and noun_share(last) >= 0.5 and \
            (is_concrete_noun(last) or last.endswith(("er", "or"))) or \
            last.endswith(("er", "or")) and noun_share(last) >= 0.5  # "Home Liquid Air Freshener": a freshener
        if shelved and noun_share(shelved[-1]) >= 0.5 and not compound:
            return shelved[-1]
    # the category saying it ("Watches > Wrist Watches") settles a word that is a verb as often ("watch")
    if len(last) > 2 and singular(last) in shelves and noun_share(last) > 0:
        return last
    typed = last.rstrip("s") in plan.product_type.lower()
    if len(last) > 2 and typed and not known(last):
        return last  # "hoodie": a word WordNet lacks, but the product's type says it
    return last if len(last) > 2 and noun_share(last) >= (0.3 if typed else 0.5) else ""


_DIMENSION = re.compile(r"^\S.* (?:wide|high|long|thick|in depth|across)$")


_PART_SIDE = re.compile(r"(an? [a-z]+(?: [a-z]+)?) (\d.* (?:wide|high|long|thick|in depth|across))")


def _merge_part_sides(phrases: list[Phrase]) -> list[Phrase]:
    """"a holder 8 cm wide" + "a holder 8 cm high" -> "a holder 8 cm wide and 8 cm high": one part's size said once."""
    by_part: dict[str, list[Phrase]] = {}
    for p in phrases:
        found = _PART_SIDE.fullmatch(p.rest) if p.singular == "has" and p.fact.role == "size" else None
        if found:
            by_part.setdefault(found.group(1), []).append(p)
    for part, group in by_part.items():
        head = part.split()[-1]
        # "a wood pot" beside "a pot 10 cm wide": "a wood pot 10 cm wide and 14 cm high"
        looks = next((p for p in phrases if p.singular == "has" and p not in group and
                      re.fullmatch(rf"an? [a-z-]+(?: [a-z-]+)? {head}", p.rest)), None)
        if len(group) < 2 and not looks:
            continue
        sides = [_PART_SIDE.fullmatch(p.rest).group(2) for p in group]
        said = sides[0] if len(sides) == 1 else f"{', '.join(sides[:-1])} and {sides[-1]}"
        first, others = (looks, group) if looks else (group[0], group[1:])
        merged = Phrase("has", "have", f"{first.rest if looks else part} {said}", first.fact,
                        first.also + tuple(f for p in others for f in (p.fact, *p.also)))
        phrases = [merged if p is first else p for p in phrases if p not in others]
    return phrases


def _merge_dimensions(phrases: list[Phrase]) -> list[Phrase]:
    """"is 98 mm high" + "is 80 mm wide" -> "measures 98 mm high and 80 mm wide": one sentence for the size."""
    phrases = _merge_part_sides(phrases)
    sizes = [p for p in phrases if p.singular == "is" and p.fact.role == "size" and _DIMENSION.match(p.rest)]
    if len(sizes) < 2:
        return phrases
    rests = [p.rest for p in sizes]
    merged = Phrase("measures", "measure", ", ".join(rests[:-1]) + " and " + rests[-1], sizes[0].fact,
                    tuple(p.fact for p in sizes[1:]))
    out, placed = [], False
    for p in phrases:
        if p in sizes:
            if not placed:
                out.append(merged)
                placed = True
            continue
        out.append(p)
    return out


def _merge_materials(phrases: list[Phrase]) -> list[Phrase]:
    """"is made of poly dupion outside" + "is made of polyfibre inside" -> one phrase, the outside first."""
    made = [p for p in phrases if p.singular == "is" and p.fact.role == "material" and p.rest.startswith("made of ")]
    if len(made) < 2:
        return phrases
    made = sorted(made, key=lambda p: p.rest.endswith(" inside"))
    def words(p: Phrase) -> set[str]:
        return set(re.findall(r"[a-z]+", p.rest.removeprefix("made of ").lower()))
    # "made of cotton" beside "made of 85% cotton and 15% polyester": the fuller says both
    covered = [p for p in made if any(q is not p and words(p) < words(q) and not re.search(r" (?:in|out)side$", p.rest + q.rest)
                                      for q in made)]
    if covered:
        fuller = [p for p in made if p not in covered]
        merged = replace(fuller[0], also=fuller[0].also + tuple(f for p in covered for f in (p.fact, *p.also)))
        phrases = [merged if p is fuller[0] else p for p in phrases if p not in covered]
        made = [merged if p is fuller[0] else p for p in fuller]
        if len(made) < 2:
            return phrases
    rests = [p.rest.removeprefix("made of ") for p in made]
    merged = Phrase("is", "are", "made of " + " and ".join(rests), made[0].fact, tuple(p.fact for p in made[1:]))
    first = min(phrases.index(p) for p in made)
    out = [p for p in phrases if p not in made]
    return out[:first] + [merged] + out[first:]


def _adjective_rank(phrase: Phrase) -> int:
    """English order of what a noun's modifiers say: shape, colour, material, then kind ("a round gold dial",
    "a multicolour pearl bracelet strap")."""
    key = phrase.fact.key.lower()
    if "shape" in key:
        return 0
    if phrase.fact.role == "colour":
        return 1
    if phrase.fact.role == "material":
        return 2
    return 3


def _merge_heads(phrases: list[Phrase]) -> list[Phrase]:
    """"has a pearl strap" + "has a multicolor strap" + "has a bracelet strap" -> "has a multicolor pearl
    bracelet strap": facts about one part said as one noun phrase, where each adds one word before it."""
    for count in [p for p in phrases if p.singular == "has" and re.fullmatch(r"\d+ [a-z]+", p.rest)]:
        number, things = count.rest.split()
        kind = next((p for p in phrases if p is not count and p.singular == "has" and
                     re.fullmatch(rf"[a-z-]+ {things}", p.rest)), None)
        if kind:  # "has 2 antennae" + "has internal antennae" -> "has 2 internal antennae"
            merged = Phrase("has", "have", f"{number} {kind.rest}", count.fact, (kind.fact, *count.also, *kind.also))
            phrases = [merged if p is count else p for p in phrases if p is not kind]
    pattern = re.compile(r"(?:a|an) ([A-Za-z-]+) ([a-z]+)(?: shape)?")
    counted = {m.group(1) for p in phrases if p.singular == "has" and (m := re.fullmatch(r"\d+ ([a-z]+?)e?s", p.rest))}
    # a thing already said as one ("a purple amethyst", from "Amethyst Color: Purple") may take its shape too
    counted |= {m.group(2) for p in phrases if p.singular == "has" and not p.rest.endswith(" shape")
                and (m := pattern.fullmatch(p.rest))}
    # two words before a part ("a genuine leather strap") modify it as one does, unless they end in "shape"
    longer = re.compile(r"(?:a|an) ((?!(?:with|of|for|and|in) )[a-z-]+ [a-z-]+) ((?!shape$)[a-z]+)")

    def part_of(p: Phrase) -> re.Match | None:  # group 1 the modifier, group 2 the part
        return (pattern.fullmatch(p.rest) or longer.fullmatch(p.rest)) if p.singular == "has" else None

    def subsumed(a: re.Match, b: re.Match) -> bool:
        return a.group(2) == b.group(2) and set(a.group(1).lower().split()) < set(b.group(1).lower().split())

    # "a leather strap" beside "a genuine leather strap": the fuller says both
    while pair := next(((p, q) for p in phrases for q in phrases if p is not q and (a := part_of(p)) and
                        (b := part_of(q)) and subsumed(a, b)), None):
        shorter, fuller = pair
        phrases = [replace(fuller, also=fuller.also + (shorter.fact, *shorter.also)) if o is fuller else o
                   for o in phrases if o is not shorter]
    by_head: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        found = part_of(phrase)
        # "a round diamond shape" joins only a count ("26 round diamonds") or the thing said as one ("an oval
        # purple amethyst"): alone, "a round diamond" would count
        if found and found.group(1).lower() != found.group(2) and \
                (not phrase.rest.endswith(" shape") or found.group(2) in counted):
            by_head.setdefault(found.group(2), []).append(phrase)
    out = list(phrases)
    for head, group in by_head.items():
        # "Number of Diamonds: 26" beside "Diamond Shape: Round": "26 round diamonds", never "a round diamond"
        count = next((p for p in phrases if p.singular == "has" and re.fullmatch(rf"(\d+) {head}s", p.rest)), None)
        modifiers = [part_of(p).group(1) for p in sorted(group, key=_adjective_rank)]
        if len(group) + bool(count) < 2 or len({m.lower() for m in modifiers}) < len(modifiers):
            continue
        ordered = sorted(group, key=_adjective_rank) + ([count] if count else [])
        said = f"{count.rest.split()[0]} {' '.join(modifiers)} {head}s" if count else _article(" ".join(modifiers + [head]))
        merged = Phrase("has", "have", said, ordered[0].fact,
                        tuple(f for p in ordered for f in (p.fact, *p.also) if f is not ordered[0].fact))
        first = min(out.index(p) for p in ordered)
        out = [p for p in out if p not in ordered]
        out.insert(first, merged)
    return out


def _merge_solid(phrases: list[Phrase]) -> list[Phrase]:
    """"comes in black or red" + "has a solid pattern" -> "comes in solid black or red"."""
    solid = next((p for p in phrases if p.fact.role == "pattern" and p.fact.value.strip().lower() in ("solid", "plain")), None)
    colour = next((p for p in phrases if p.fact.role == "colour" and p.rest.startswith("in ")), None)
    if not solid or not colour:
        return phrases
    merged = Phrase(colour.singular, colour.plural, f"in {solid.fact.value.strip().lower()} {colour.rest[3:]}",
                    colour.fact, colour.also + (solid.fact,))
    return [merged if p is colour else p for p in phrases if p is not solid]


def _merge_pack(phrases: list[Phrase]) -> list[Phrase]:
    """"comes as a pack of 6" + "comes with 6 glasses" -> "comes with 6 glasses": one count, said once, where a
    pack size goes (first)."""
    pack = next((p for p in phrases if p.fact.role == "package" and p.rest.startswith("as ")), None)
    count = re.search(r"\d+", pack.rest).group(0) if pack else ""
    box = next((p for p in phrases if p is not pack and p.fact.role == "package" and count and
                re.search(rf"(?<![\d.]){count}(?![\d.])", p.rest)), None)
    if not box:
        return phrases
    counted = re.fullmatch(rf"with {count} (.+)", box.rest)  # "with 6 glasses" -> "as a pack of 6 glasses"
    rest = f"{pack.rest} {counted.group(1)}" if counted and pack.rest.endswith(count) else box.rest
    merged = Phrase(pack.singular, pack.plural, rest, pack.fact, (box.fact,))
    return [merged if p is pack else p for p in phrases if p is not box]


def _acronyms(plan: ContentPlan) -> dict[str, str]:
    """Words the input writes only in capitals and English does not know in lower case ("USB", "LED"), so
    prose keeps them so ("8 USB LED lights")."""
    from engine.scores.claims import wordnet

    wn = wordnet()
    found = {}
    text = " ".join([plan.name, *(f.source for f in plan.facts)])
    # "USB", "LED"; and written with capitals inside ("QoS", "WiFi"), a term kept as its maker writes it
    for word in re.findall(r"\b[A-Z]{2,5}\b|\b[A-Z][a-z]?[A-Z][A-Za-z]{0,3}\b", text):
        lower = word.lower()
        plural = wn.morphy(lower, "n") if wn is not None and lower.endswith("s") and len(lower) > 3 else None
        if wn is not None and (plural or any(l.name() == lower for s in wn.synsets(lower) for l in s.lemmas())):
            continue  # "SET", "KIDS", "GIRLS": English words shouted (a noun's plural is no lemma of its own)
        found[lower] = word
    return found


def _with_acronyms(text: str, acronyms: dict[str, str]) -> str:
    if not acronyms:
        return text
    text = re.sub(r"\b[A-Za-z]{2,5}\b", lambda m: acronyms.get(m.group(0).lower(), m.group(0))
                  if not m.group(0).isupper() else m.group(0), text)
    # the article was chosen for the lower-case word: "a led indicator" is "an LED indicator" once restored
    return re.sub(r"\b([Aa]n?) ([A-Z]{2,5})\b", lambda m: _article(m.group(2)).replace(
        "a", m.group(1)[0], 1) if m.group(2).lower() in acronyms else m.group(0), text)


def _said_by_name(fact: Fact, plan: ContentPlan) -> bool:
    """"Material: Wooden" for the "VarEesha Wooden Key Holder": the name already says it."""
    name = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", plan.name)}
    value = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", fact.value)}
    return not fact.is_flag and bool(value) and value <= name


# A clause says something about its subject: it has one of these verbs, or a pronoun and a verb in -s.
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|can|will|would|could|should|may|might|must|does|do|lets|"
                     r"makes|make|gives|give|keeps|keep|holds|hold|comes|come|offers|offer|brings|bring|adds|add|"
                     r"looks|look|feels|feel|fits|fit|features|feature|helps|help|provides|provide|includes|"
                     r"include|goes|go|works|work|pairs|pair|stays|stay|takes|take|suits|suit)\b", re.I)
_SUBJECT_VERB = re.compile(r"\b(?:it|this|they|which|that|you|each)\s+[a-z]+s\b", re.I)


def has_verb(text: str) -> bool:
    """A sentence rather than a name, a noun phrase or a list of specifications."""
    return bool(_FINITE.search(text) or _SUBJECT_VERB.search(text))


def _garment(word: str) -> bool:
    """"pullover", "jacket", "tee": a word whose usual sense is a garment (a bullet ending in one names the
    product, or one colourway of it: "Lime 1/4 zip pullover")."""
    from engine.scores.claims import wordnet

    wn = wordnet()
    base = wn.morphy(word, "n") or word
    senses = wn.synsets(base, "n")[:1]
    garments = {wn.synset("garment.n.01"), wn.synset("clothing.n.01")}
    return any(garments & set(path) for s in senses for path in s.hypernym_paths())


_MATERIAL_WORDS = {"fabric", "fabrics", "material", "materials", "construction", "blend", "made", "of", "with", "and"}


def _describes_a_variant(text: str, plan: ContentPlan) -> bool:
    """A bullet about one colourway or the garment itself ("Navy cotton straight leg pants", "100% polyester",
    "Freedom of movement"): stated better by the facts, or not a feature at all."""
    from engine.scores.vocab import COLORS, MATERIALS

    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    materials = {w.lower() for f in plan.facts if f.role == "material" for w in re.findall(r"[A-Za-z]{4,}", f.value)}
    colours, matter = words & set(COLORS), words & (set(MATERIALS) | materials)
    head = _head(plan)
    kinds = {head, head.rstrip("s")} | set(plan.product_type.split()) if head else set(plan.product_type.split())
    last = re.findall(r"[A-Za-z]+", text)[-1:]  # "Cayenne Short-Sleeve roll neck sweatshirt" on "... > Sweatshirts"
    # "Durable nylon construction" beside "Material: Nylon" says the material again, where "LumaTech™ lining",
    # "Mesh carry bag" and "Moisture-wicking Cocona® fabric" add a part or a quality to it
    added = words - colours - matter - _MATERIAL_WORDS - {"durable", "soft", "premium", "quality", "high"}
    return bool(colours) or bool(matter) and not added or bool(words & (kinds - {""})) or \
        text[:1].isdigit() and not _counted_part(text) or \
        text.lower().startswith(("freedom", "comfort", "style")) or bool(last) and (
            singular(last[0].lower()) in _shelves(plan) or _garment(last[0].lower())
            or last[0].lower() in ("use", "wear", "usage"))  # "Home and/or gym use": a use, not a feature


def _english(word: str) -> bool:
    """A word of English, by the spelling list, WordNet or an inflection of one ("slimming", which both lack)."""
    from engine.scores.claims import is_english, wordnet

    stem = re.sub(r"(?:ing|ed)$", "", word)
    stems = {stem, stem + "e", stem[:-1]} if stem != word and len(stem) > 2 else set()  # "slimming": slim
    return known(word) or any(wordnet().morphy(word, pos) for pos in "nvar") or any(known(s) for s in stems) or \
        is_english(word)


def _leans_on_another(text: str) -> bool:
    """A merchant's sentence that needs the one before it or does not parse: "Either way, this versatile
    sweatshirt ...", "The Olivia Light Jacket promises that, plus ...", "Light weight rings, where each piece
    ...", "... this trendy Sweatshirt.Its just the right choice"."""
    return bool(re.match(r"(?:either way|even so|still|instead|otherwise|in fact|on top of that|what's more)\b", text,
                         re.I) or re.search(r"\b(?:that|this|it),\s", text) or
                re.match(r"[\w' -]+, (?:where|which|who)\b", text) or re.search(r"[a-z]\.[A-Z][a-z]|\s\?", text))


def _counted_part(text: str) -> bool:
    """"2 side-seam pockets", "1 exterior zippered pocket", "4-way stretch": a count of parts or a kind of
    stretch, a feature, where "100% polyester" or "24.0" body length" are the fabric or a variant's measure."""
    return bool(re.fullmatch(r"(?:[1-9] [A-Za-z][\w -]*[A-Za-z]|\d-way [a-z]+(?: [a-z]+)?)", text))


def _names_another_product(text: str, plan: ContentPlan) -> bool:
    """"... the Cora Parachute Pant presents ..." in the Karmen Yoga Pant's copy: a catalog's sentence written
    for another product, which would be a false claim about this one."""
    words = re.findall(r"[A-Za-z]+", _name_core(plan))
    head = _head(plan) or (words[-1].lower() if words else "")  # "pant" is a verb as often: still the head here
    if len(head) < 3:
        return False
    name = plan.name.lower()
    first = plan.name.split()[0] if plan.name.split() else ""
    if len(first) >= 3 and first[:1].isupper() and not known(first):  # "the Kenobi Trail Vest" in a jacket's copy
        for found in re.finditer(rf"\b{re.escape(first)}(?:\s+[A-Z][\w'’™®-]*)+", text):
            # "the Atomic Tee" in the Atomic Endurance Running Tee's copy is the same product, shortened
            if not set(re.findall(r"[a-z0-9]+", found.group(0).lower())) <= set(re.findall(r"[a-z0-9]+", name)):
                return True
    for found in re.finditer(rf"((?:[A-Z][\w'’™®-]*\s+){{1,3}})(?i:{head.rstrip('s')})s?\b", text):
        words = found.group(1).split()
        own = set(re.findall(r"[a-z0-9]+", name)) | {"the"}
        if words and all(w[:1].isupper() for w in words) and found.group(0).lower() not in name and \
                not (len(words) == 1 and found.start() == 0) and \
                not set(re.findall(r"[a-z0-9]+", found.group(0).lower())) <= own | {head + "s", head.rstrip("s")}:
            return True
    return False


def _plural_subject_clause(text: str) -> bool:
    """"Flat seams prevent chafing": a plural noun and then a word that is only ever a verb, a sentence of its
    own (listed as a feature it read "a flat seams prevent chafing")."""
    from engine.scores.claims import noun_share, wordnet

    words = [w.lower() for w in re.findall(r"[A-Za-z'-]+", text)]
    wn = wordnet()
    for before, word in zip(words, words[1:]):
        plural = before.endswith("s") and not before.endswith("ss") and wn.morphy(before, "n") not in (None, before)
        if plural and wn.synsets(word, "v") and noun_share(word) == 0 and not wn.synsets(word, "a"):
            return True
    return False


_UNCOUNTED = ("control", "support", "comfort", "stretch", "coverage", "warmth", "protection", "technology", "fabric",
              # a garment's trims, said without "a": "contrast piping", "flatlock stitching", "side rouching"
              "piping", "stitching", "topstitching", "seaming", "venting", "binding", "rouching", "ruching",
              "detailing", "coating", "padding", "quilting", "shirring", "banding", "taping", "webbing")


def _uncounted(noun: str) -> bool:
    """"odor control", "UV protection", "breathability": said without "a"."""
    return noun in _UNCOUNTED or noun.endswith(("tion", "sion", "ness", "ity", "ance", "ence", "ology"))


def _pasted_title(text: str) -> bool:
    """"Escort E-1700-906_Blk Analog Watch - For Men, Boys If you have it, flaunt it!": five or more capitalised
    words in a row, a listing's title run into a sentence rather than prose."""
    return bool(re.search(r"(?:\b[A-Z][\w'’®™-]*[\s,]+(?:-\s+)?){5,}", text))


def _a_quality(word: str) -> bool:
    """"wicking", "repellent", "resistant": the last word of a quality a bullet names ("Water repellent"), not of
    a thing ("Zip pocket", "Belted waist")."""
    # a closed list: "-ing" words in garment bullets are mostly things ("contrast binding", "flat seaming",
    # "side rouching", "armpit venting"); WordNet calls many of them verbs, so it cannot tell them apart
    return word in _QUALITY_ING or word.endswith(("repellent", "resistant", "proof"))


_QUALITY_ING = {"wicking", "drying", "skimming", "fitting", "flattering", "slimming", "repelling", "absorbing",
                "insulating", "breathing", "cooling", "warming", "lasting", "stretching", "hugging"}


def _note_sentences(plan: ContentPlan, rng: random.Random, most: int = 3) -> list[Sentence]:
    """The merchant's own bullets and sentences: a sentence as written, short noun phrases ("Drawstring-
    adjustable hood.") gathered into one "It also features ..." sentence."""
    from engine.scores.claims import noun_share

    sentences, features, qualities, measured = [], [], [], []
    for note in plan.notes[:6]:
        text = note.strip().rstrip(".")
        if not text or ":" in text or "(" in text or re.search(
                r"\bwash|\bdry\b|dry clean|bleach|\biron", text, re.I) or SHOP_TALK.search(text) or \
                text.split()[-1].lower().endswith(("resistant", "proof", "safe")):
            continue
        if has_verb(text) and len(text.split()) >= 5:
            text = text[:1].upper() + text[1:]  # "fast drying combined with ...": a catalog's lower-case start
            text = re.sub(r"\.\?$", "", text)  # "... every style-conscious man's attention.?"
            if _names_another_product(text, plan) or _pasted_title(text) or re.search(r"\?\?|\?,|,\?", text) or \
                    re.match(r"(?:Made|Built|[A-Z][a-z]+(?:ed|en))\b[^,]*, (?:is|are|has|have)\b", text) or \
                    re.match(r"[A-Z]?[\w-]+(?: [\w-]+){0,2} (?:which|who) (?:is|are)\b", text) or \
                    re.match(r"(?:Comes|Has|Is|Are)\b", text) or _leans_on_another(text):  # "Comes in a 10 ml bottle."
                # "Made in Polyester Cotton, is very comfortable ...", "Bulbs which are also ...": no main verb
                continue  # a listing title run into the prose, or characters lost in a catalog's encoding
            if not re.match(r"(?:that|this|these|it|they|plus|and|but|also|so|which|furthermore|moreover|"
                            r"additionally|however|besides|hence|thus|therefore)\b", text, re.I):
                sentences.append(Sentence(text + ("" if text[-1:] in "!?" else "."), [f"your notes: {note.strip()}"],
                                          "merchant"))
        elif (sides := re.findall(r'\b([WHLD])\s*(\d[\d.]*\s*(?:"|”|in\b|cm\b))', text, re.I)) and len(sides) >= 2 and \
                note in plan.bullets and re.fullmatch(r'[\sWHLDwhld\d.x×"”incm]+', text):
            # 'W 22.0" x H 17" x D 10"' -> 'It measures 22.0" wide, 17" high and 10" in depth.'
            said = [size.replace("”", '"') + " " + (_ADJECTIVE_OF[side.lower()] if side.lower() != "d" else "in depth")
                    for side, size in sides]
            measured.append(Sentence(f"{plan.pronoun()} {'measure' if plan.plural else 'measures'} "
                                      f"{', '.join(said[:-1])} and {said[-1]}.", [f"your notes: {note.strip()}"], "merchant"))
        elif re.fullmatch(r'\d[\d.]*\s*(?:["”″]|\'\'|in|inch|inches|cm|mm)\s+[a-z]+(?: [a-z]+)?', text) and note in plan.bullets:
            features.append((_article(text.replace("”", '"').replace("″", '"').replace("''", '"')), note.strip()))  # 'a 4" inseam'
        elif re.fullmatch(r"[A-Za-z][A-Za-z -]{2,30}?\s+\d[\d.,]*\s*[A-Za-z%]+", text) and note in plan.bullets:
            # "Burning time 12 hours" -> "a burning time of 12 hours"
            measure = re.fullmatch(r"(.+?)\s+(\d[\d.,]*\s*[A-Za-z%]+)", text)
            features.append((_article(f"{measure.group(1).lower()} of {measure.group(2)}"), note.strip()))
        elif _plural_subject_clause(text) and not _names_another_product(text, plan):
            sentences.append(Sentence(text[:1].upper() + text[1:] + ".", [f"your notes: {note.strip()}"], "merchant"))
        elif re.fullmatch(r"[A-Za-z]{3,}-[A-Za-z]{3,}", text) and note in plan.bullets and \
                not _describes_a_variant(text, plan) and _adjective(text.split("-")[-1]) and \
                (not text.lower().endswith("ing") or _a_quality(text.split("-")[-1].lower())):
            qualities.append((text.lower(), note.strip()))  # "Ultra-lightweight", "Semi-fitted": how it is
        elif re.fullmatch(r"(?:[A-Za-z]{3,} ){1,2}[A-Za-z]{3,}", text) and note in plan.bullets and \
                _a_quality(text.split()[-1].lower()) and not _describes_a_variant(text, plan):
            # "Moisture wicking" -> "moisture-wicking"; "Lightweight moisture wicking" -> "lightweight, moisture-wicking";
            # "Water repellent" -> "water-repellent": how it is, not "a water repellent"
            *before, what, last = text.lower().split()
            qualities.append((", ".join(before + [f"{what}-{last}"]), note.strip()))
        elif (2 <= len(text.split()) <= 8 or re.fullmatch(r"[A-Za-z]{3,}-[A-Za-z]{3,}", text)) and \
                note in plan.bullets and not _describes_a_variant(text, plan):
            if re.fullmatch(r"[A-Za-z]{3,}-[A-Za-z]{3,}", text):
                text = text.replace("-", " ").lower()  # "Short-Sleeves" -> "short sleeves"
            text = re.sub(r"^1 (?=[A-Za-z])", "", text)  # "1 exterior zippered pocket" -> "an exterior ..."
            first = text.split()[0].split("-")[0].strip(",;")
            # "Mesh carry bag" -> "mesh carry bag", "Moisture-wicking fabric" -> "moisture-wicking fabric";
            # "LumaTech™ lining" and "UV protection" keep their capitals
            phrase = text[:1].lower() + text[1:] if first.istitle() and _english(first.lower()) else text
            # "Long-Sleeve style" -> "long-sleeve style": a capital inside a hyphenated English word
            phrase = re.sub(r"(?<=[a-z]-)([A-Z][a-z]+)\b", lambda m: m.group(1).lower() if known(m.group(1).lower())
                            else m.group(1), phrase)
            # "standard Fit", "a Breathable stretch": a capital on an English word inside the phrase
            phrase = re.sub(r"(?<=\s)([A-Z][a-z]{2,})\b", lambda m: m.group(1).lower() if _english(m.group(1).lower())
                            and not _proper(m.group(1)) else m.group(1), phrase)
            phrase = re.sub(r"(?<=[a-z])/(?=[a-z])", " and ", phrase)  # "ribbed cuffs/collar"
            phrase = re.sub(r"\s+included$", "", phrase, flags=re.I)  # "Hand pump included" -> "a hand pump"
            head = re.split(r"\s+(?:with|in|for|on|and|of)\s+", phrase)[0].split()[-1].lower()
            plural = head.endswith("s") and not head.endswith("ss") or phrase.split()[0].lower() in ("two", "three", "four")
            tail = phrase.split()[-1].lower()
            plural = plural or " and " in phrase and tail.endswith("s") and not tail.endswith("ss")  # "main and small zip compartments"
            features.append((phrase if plural or _uncounted(head) or phrase.split()[0].lower() in ("a", "an", "the")
                             else _article(phrase), note.strip()))
    out = sentences[:1]
    if qualities:  # "It is ultra-lightweight and semi-fitted."
        said = series(", ".join(q for q, _ in qualities[:3])) if len(qualities) > 2 or any("," in q for q, _ in qualities) \
            else " and ".join(q for q, _ in qualities)
        notes = [f"your notes: {n}" for _, n in qualities[:3]]
        if 1 <= len(features) <= 2 and "," not in said and not any(" and " in f for f, _ in features):
            # "It is semi-fitted, with a crew neckline.": a quality and a feature or two in one sentence, not two
            # short ones (round ten's editor: "It is semi-fitted. It features a crew neckline." is choppy)
            said += ", with " + " and ".join(f for f, _ in features)
            notes += [f"your notes: {n}" for _, n in features]
            features = []
        out.append(Sentence(f"{plan.pronoun()} {'are' if plan.plural else 'is'} {said}.", notes, "merchant"))
    if features:
        chosen = features[:most]
        listed = [f for f, _ in chosen]
        # "an elastic waistband and internal drawstring, and a relaxed fit": a feature that holds "and" is kept
        # apart from the list's own "and"
        joiner = ", and " if any(" and " in f for f in listed[:-1]) else " and "
        said = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + joiner + listed[-1]
        verb = "feature" if plan.plural else "features"
        lead = rng.choice((f"{plan.pronoun()} {verb}", "Details include", "Highlights include")) if len(listed) > 1 \
            else f"{plan.pronoun()} {verb}"
        out.append(Sentence(f"{lead} {said}.", [f"your notes: {n}" for _, n in chosen], "merchant"))
    return out + measured[:1]


@dataclass(frozen=True)
class Voice:
    """How a tone writes, within the same facts: its openings, how many facts share a sentence, how often a
    phrase is fronted ("Made of ceramic, it ..."), whether it speaks to the shopper ("You get ...") and
    exclaims. The words a voice adds state nothing about the product."""

    openings: tuple[str, ...]        # around the identity phrase: "The {name} {be} {np}{that}."
    plain_openings: tuple[str, ...]  # with one fact when there is no identity phrase: "The {name} {vp}."
    bare: str                        # with no fact at all
    per_sentence: int
    fronting: float
    you: bool = False
    exclaim: bool = False
    contractions: bool = False
    closings: tuple[str, ...] = ()


VOICES = {
    "neutral": Voice(("The {name} {be} {np}{that}.", "{Name} {be} {np}{that}."),
                     ("The {name} {vp}.", "{Name} {vp}."), "This is the {name}.", 2, 0.4),
    "friendly": Voice(("Meet the {name}, {np}{that}.", "Say hello to the {name}, {np}{that}."),
                      ("Meet the {name}: {pron} {vp}.", "Say hello to the {name}, which {vp}."), "Meet the {name}.",
                      2, 0.3, you=True, contractions=True,
                      closings=("A lovely pick for {audience}.", "Made to be enjoyed by {audience}.")),
    "premium": Voice(("Introducing the {name}: {np}{that}.", "Discover the {name}, {np}{that}."),
                     ("Introducing the {name}, which {vp}.", "Discover the {name}, which {vp}."),
                     "Introducing the {name}.", 3, 0.7, closings=("A refined choice for {audience}.",)),
    "playful": Voice(("Say hello to the {name}, {np}{that}!", "Here comes the {name}, {np}{that}!"),
                     ("Say hello to the {name}! {Pron} {vp}.", "Guess what? The {name} {vp}!"),
                     "Say hello to the {name}!", 2, 0.2, you=True, exclaim=True, contractions=True,
                     closings=("Go on, treat yourself!", "Fun times ahead!")),
    "technical": Voice(("At a glance: the {name} {be} {np}.", "In short, the {name} {be} {np}."),
                       ("At a glance: the {name} {vp}.", "In short, the {name} {vp}."), "Product: the {name}.", 3, 0.0),
}


def _spoken_name(plan: ContentPlan) -> str:
    """The name as prose says it: a word said twice in a row said once ("Steppings Boots Boots"), and a
    shouted name ("ORANGE KIDS SET 2 Containers") in title case, the brand's own spelling kept."""
    name = plan.name or plan.product_type or "product"
    if name.lower().startswith("the "):
        name = name[4:]
    words = name.split()
    words = [w for i, w in enumerate(words) if i == 0 or w.lower() != words[i - 1].lower()]
    brand = set(plan.brand.split()) | set(plan.line.split())
    if sum(w.isupper() and len(w) >= 4 and w not in brand for w in words) >= 2:
        words = [w.capitalize() if w.isupper() and w.isalpha() and len(w) >= 4 and w not in brand else w for w in words]
    return " ".join(words)


def _kind(plan: ContentPlan) -> str:
    """What the product is, as the end of its name says it ("coffee mug", "boots"), "" if unsure. The Type
    attribute lends the words before the head only where the name has them too: a catalog's Type is often
    a shelf ("Fengshui", "Wireless without Modem") rather than the thing."""
    head = _head(plan)
    if not head:
        return ""
    name = [w.lower() for w in re.findall(r"[A-Za-z]+", _name_core(plan))]
    name = [w for i, w in enumerate(name) if i == 0 or w != name[i - 1]]  # "Steppings Boots Boots"
    brand = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{plan.brand} {plan.line}")}
    kind = [head]
    # the words before the head ("Bottle Opener Set": the head is "opener", the category's word)
    at = len(name) - 1 - name[::-1].index(head) if head in name else len(name) - 1
    shelves = _shelves(plan)
    for index, word in enumerate(reversed(name[:at])):
        # the Type's words, or the shelf's word right before the head ("Mattress Protector" on "Baby Mattresses")
        shelf = index == 0 and len(word) > 2 and singular(word) in shelves and word not in plan.product_type.lower()
        if (word in plan.product_type.lower().split() or shelf) and word not in brand and len(kind) < 3:
            kind.insert(0, singular(word) if shelf else word)  # "Cushions Cover": a cushion cover
        else:
            break
    if at >= 2 and name[at - 1] == "of" and name[at - 2] in ("set", "pack", "pair", "box", "kit") and len(kind) == 1:
        kind = name[at - 2:at] + kind  # "Maspar Cotton Set of Towels": a set of towels
    if not plan.plural and singular(head) != head and known(singular(head)) and kind[-2:-1] != ["of"]:
        kind[-1] = singular(head)  # "Single Quilts & Comforters", said of one: "a cotton quilt", "the quilt has"
    if len(name) > 1 and name[-1] in ("set", "kit", "combo") and singular(name[-2]) == singular(head):
        kind.append(name[-1])  # "Oval Wood Coaster Set": a coaster set, not a coaster
    return " ".join(kind)


def _kind_head(kind: str) -> str:
    """The noun a later sentence names the product by: "mug" of "coffee mug", "set" of "set of towels"."""
    words = kind.split()
    return words[words.index("of") - 1] if "of" in words[1:] else (words[-1] if words else "")


def _identity(plan: ContentPlan, phrases: list[Phrase]) -> tuple[str, list[Phrase], bool]:
    """What the product is in one noun phrase built from its facts: "a white ceramic mug", "tan boots for
    women". Returns the phrase, the fact phrases it says, and whether it ends in "for ..." (no clause may
    follow it then)."""
    from engine.scores.claims import noun_share

    kind = _kind(plan)
    head = kind.split()[-1] if kind else ""
    typed = not kind and _plain_type(plan)
    if typed:  # "Ocean VGLASS0051", a name that ends in a code: the Type says what it is ("glass set")
        kind, head = typed, typed.split()[-1]
    if not head or not any(w.rstrip("s") in plan.product_type.lower() or singular(w) in _shelves(plan)
                           for w in kind.split() if w not in ("set", "of", "kit", "combo", "pack", "pair", "box")):
        return "", [], False  # the name's last word is not surely the thing: "Cat's Eye" is a ring, "Pot" a plant
    said, before, after = [], [], ""

    def single(p: Phrase) -> bool:
        return "," not in p.fact.value and "/" not in p.fact.value and len(p.fact.value.split()) <= 2

    colour = next((p for p in phrases if p.fact.role == "colour" and p.rest.startswith("in ") and single(p)), None)
    material = next((p for p in phrases if p.fact.role == "material" and single(p) and
                     not p.rest.endswith((" inside", " outside")) and
                     (p.rest.startswith("made of ") or p.singular == "is" and " " not in p.rest)), None)
    audience = next((p for p in phrases if p.fact.role == "use" and p.rest.startswith("made for ")
                     and re.search(r"ideal|gender", p.fact.key, re.I) and p.fact.value.count(",") < 2), None)
    pattern = next((p for p in phrases if p.fact.role == "pattern" and single(p) and
                    re.fullmatch(r"[A-Za-z]+(?:ed|al)|solid|plain", p.fact.value.strip(), re.I) and
                    noun_share(p.fact.value.strip().lower()) < 0.5), None)  # "printed", "floral", "solid"; not "animal"
    cut = next((p for p in phrases if p.fact.role == "style" and p.singular == "is" and
                re.fullmatch(r"[a-z]+less", p.rest)), None)  # "a solid sleeveless polyester top"
    if re.search(r"\s(?:with|and)\s", plan.name, re.I):
        material = None  # "Plant with Pot", "Material: Wood": the wood may be the pot's, so it is not said of the plant
    for phrase, words in ((pattern, pattern.fact.value.lower() if pattern else ""),
                          (colour, colour.rest[3:] if colour else ""), (cut, cut.rest if cut else ""),
                          (material, material.rest.removeprefix("made of ").removesuffix(" material") if material else "")):
        if phrase and not set(words.lower().split()) & set(kind.split()):
            before.append(words.lower() if words.isupper() and len(words) > 3 else words)
            said.append(phrase)
    if audience:
        after = " for " + audience.rest.removeprefix("made for ")
        said.append(audience)
    if not said and not typed:
        return "", [], False
    np = " ".join(before + [kind]) + after
    return (np if plan.plural else _article(np)), said, bool(after)


def _plain_type(plan: ContentPlan) -> str:
    """The Type as a noun phrase a sentence can use ("glass set"), where the name ends in a code rather than a
    noun; "" for a catalog's shelf ("Fengshui", "Wireless without Modem")."""
    from engine.scores.claims import noun_share

    # "Range Extenders/Repeaters": a shelf of two names; the first, said of one product, is "range extender"
    words = re.split(r"\s*/\s*", plan.product_type)[0].lower().split()
    name = re.findall(r"[A-Za-z0-9]+", plan.name)
    if not words or len(words) > 3 or not name or not re.search(r"\d", name[-1]):
        return ""
    def agent(word: str) -> bool:  # "extender(s)": one who extends, a noun WordNet lacks
        stem = re.sub(r"ers?$", "", word)
        return stem != word and known(stem)

    if any(w in ("with", "without", "for", "and", "of", "&") or not (known(w) or agent(w)) for w in words):
        # a shelf for a Type ("Wireless with Modem"): the category's last level names the thing ("Routers")
        brand = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{plan.brand} {plan.line} {name[0]}")}
        leaf = [w for w in re.findall(r"[a-z]+", re.split(r"\s*>\s*", plan.category)[-1].lower()) if w not in brand]
        words = leaf if len(leaf) == 1 and known(singular(leaf[0])) else []
        if not words:
            return ""
    if not plan.plural and singular(words[-1]) != words[-1]:
        words[-1] = singular(words[-1])
    return " ".join(words) if noun_share(words[-1]) >= 0.2 or agent(words[-1]) else ""


_SHADE = re.compile(r"\b(?:light|dark|bright|pale|deep|heather|heathered|neon)\b", re.I)


def _bullet_identity(plan: ContentPlan) -> tuple[str, str]:
    """A bullet that says what the product is ("Light blue heather full zip hoodie.") as an identity phrase,
    its colour words left out (a bullet describes one colourway; the facts list them all): ("a full zip
    hoodie", the bullet). ("", "") when no bullet does."""
    from engine.scores.vocab import COLORS

    head = _head(plan)
    if not head:
        return "", ""
    for bullet in plan.bullets:
        text = bullet.strip().rstrip(".")
        words = text.split()
        last = words[-1].lower() if words else ""
        if not 2 <= len(words) <= 8 or has_verb(text) or last.rstrip("s") != head.rstrip("s") or ":" in text:
            continue
        colour_words = {w for c in COLORS for w in c.split()}  # "lime" of "lime green", "heather" of "heather gray"
        kept = [w for w in words[:-1] if w.lower().strip(",") not in colour_words and not _SHADE.fullmatch(w)]
        np = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in kept + [words[-1]])
        plural = last.endswith("s") and not last.endswith("ss")
        if plural and not plan.plural:
            continue  # "Navy straight leg pants." for the "Kratos Gym Pant": "a pair of ... pants that is" reads badly
        return (np if plan.plural else _article(np)), bullet.strip()
    return "", ""


def _worn(plan: ContentPlan) -> bool:
    """Clothes, shoes and jewellery: things a shopper wears, told by the attributes a catalog gives them."""
    return any(re.search(r"sleeve|neck|fabric|sole|heel|\bfit\b|ring size|closure|tip shape|inseam|strap|dial", f.key, re.I)
               for f in plan.facts) or bool(re.match(r"(?:footwear|clothing|jewellery|watches)\b", plan.category, re.I))


_IMPERATIVE = ("wash", "hand", "machinewash", "handwash", "machine", "wipe", "dry", "do", "don't", "clean", "iron", "use", "tumble", "spot",
               "gentle", "line", "avoid", "keep", "store", "rinse", "air", "remove", "turn", "wring")


def care_sentence(fact: Fact) -> Sentence:
    """"Wash in lukewarm water, do not bleach." as the instruction it is; a label only when it is not one."""
    value = _plain(fact.value).strip().rstrip(".")
    value = re.sub(r"\b(machine|hand)wash", r"\1 wash", value, flags=re.I)
    value = re.sub(r"(?<=[a-z])/(?=[A-Za-z])", ", ", value)  # "Machine wash/Line dry" -> "Machine wash, line dry"
    value = value[:1] + re.sub(r"(?<=, )([A-Z])(?=[a-z])", lambda m: m.group(1).lower(), value[1:])
    if value.split()[0].lower().strip(",") in _IMPERATIVE:
        return Sentence(value[:1].upper() + value[1:] + ".", [fact.source])
    return Sentence(f"Care instructions: {value}.", [fact.source])


def _contract(text: str) -> str:
    return re.sub(r"\b(It|it|They|they) (is|are)\b(?! not)", lambda m: m.group(1) + ("'s" if m.group(2) == "is" else "'re"), text)


def _opening(plan: ContentPlan, phrases: list[Phrase], voice: Voice, rng: random.Random,
             does: str = "") -> tuple[Sentence, list[Phrase]]:
    """The first sentence names the product and says what it is, or else what it does (``does``, "keeps your
    keys in one place"); returns it and the phrases it stated."""
    name = _spoken_name(plan)
    named = [f"name: {plan.name}"] if plan.name else []
    np, said, closed = _identity(plan, phrases)
    from_bullet, bullet = _bullet_identity(plan)
    if from_bullet and (not np or len(from_bullet.split()) > len(np.split())):
        np, said, closed = from_bullet, [], False
        named = named + [f"your notes: {bullet}"]
    if np:
        told = set(re.findall(r"[a-z]+", np.lower()))
        rest = [p for p in phrases if p not in said and p.fact.role not in ("package", "warranty", "use")]
        said = said + [p for p in rest if told >= set(re.findall(r"[a-z]+", p.fact.value.lower())) != set()
                       and not p.fact.is_flag]  # "Ring Size: 8" has no word the phrase could have told
        rest = [p for p in rest if p not in said]  # "a glass set that is made of glass": said already
        clause = rest[0] if rest and not closed and "{that}" in voice.openings[0] else None
        features = []
        if clause and clause.singular == "has":  # "a printed cotton romper with half sleeves and a round neck"
            features = [p for p in rest[:2] if p.singular == "has" and p.fact.role in ("style", "pattern", "feature")
                        and "," not in p.rest and " and " not in p.rest]
            clause = None
        that = f" that {clause.text(plan.plural)}" if clause else ""
        if features:
            that = " with " + " and ".join(p.rest for p in features)
        elif closed and "{that}" in voice.openings[0]:
            # "a printed cotton top for women, with a round neck and short sleeves": what it looks like in the
            # sentence that says what it is, not in one more "It has ..."
            features = [p for p in rest[:2] if p.singular == "has" and p.fact.role in ("style", "pattern")
                        and not re.search(r"\d", p.rest)]
            features = features if len(features) == len([p for p in rest[:2] if p.singular == "has"]) else []
            that = ", with " + " and ".join(p.rest for p in features) if features else ""
        shapes = voice.openings
        if not (plan.brand and name.lower().startswith(plan.brand.lower())):
            shapes = tuple(s for s in shapes if not s.startswith("{Name}")) or shapes
        text = rng.choice(shapes).format(name=name, Name=name[:1].upper() + name[1:],
                                                 be="are" if plan.plural else "is", np=np, that=that)
        text = (_from_the_brand(name, np, that, plan) if voice is VOICES["neutral"] else "") or text
        said = said + ([clause] if clause else []) + features
    elif does or phrases:
        # what it does, else what it is made of or for, else what it has, before its measures: "The Asus ...
        # Router has a wireless speed of 2334 Mbps", not "... measures 47.5 mm high"
        lead = None if does else next((p for p in phrases if p.fact.role in ("use", "material") or p.singular == "holds"), None) or \
            next((p for p in phrases if p.fact.role in ("feature", "style") and not p.fact.is_flag and
                  not re.search(r"\b(?:series|collection|shape)\b", p.rest)), None) or \
            next((p for p in phrases if p.fact.role != "size" or "weight" not in p.fact.key.lower()), phrases[0])
        shapes = voice.plain_openings
        if not (plan.brand and name.lower().startswith(plan.brand.lower())):
            shapes = tuple(s for s in shapes if not s.startswith("{Name}")) or shapes  # "The dual-band router"
        said_lead = lead.text(plan.plural).replace(" right for ", " made for ", 1) if lead else ""  # not "is right for"
        text = rng.choice(shapes).format(name=name, Name=name[:1].upper() + name[1:],
                                         vp=_conjugated(does, plan.plural) if does else said_lead,
                                         pron=plan.pronoun(False), Pron=plan.pronoun())
        said = [lead] if lead else []
    else:
        return Sentence(voice.bare.format(name=name), named), []
    text = text[:1].upper() + text[1:]
    return Sentence(text, named + [s for p in said for s in p.sources]), said


def _from_the_brand(name: str, np: str, that: str, plan: ContentPlan) -> str:
    """A name that lists ("Soie Casual, Festive, Formal, Lounge Wear, Party Sleeveless Embellished, Solid Women's
    Top") is the title's to say: the opening names the product by what it is and its brand instead ("This solid
    sleeveless top for women from Soie has an embellished pattern."), as catalog copy does. "" for any other name
    (a long name without a list still reads as a name, and catalog copy repeats it), where the brand does not
    open it, or where no clause would give the sentence its verb."""
    if "," not in name or not plan.brand or not name.lower().startswith(plan.brand.lower()):
        return ""
    if that.startswith(" that "):
        verb = that.removeprefix(" that ")  # "that is made of cotton" -> "is made of cotton"
    elif re.match(r",? with ", that):
        verb = ("have " if plan.plural else "has ") + re.sub(r"^,? with ", "", that)
    else:
        return ""
    bare = re.sub(r"^an? ", "", np)
    return f"{'These' if plan.plural else 'This'} {bare} from {plan.brand} {verb}."


def _body_sentence(group: list[Phrase], plan: ContentPlan, voice: Voice, rng: random.Random, subject: str) -> str:
    pronoun = subject or plan.pronoun()
    if voice.you and all(p.singular == "comes" and p.rest.startswith("with ") for p in group):
        return f"You get {join_phrases(group, plan.plural).removeprefix('come with ').removeprefix('comes with ')}."
    fronted = group[0].participle() if len(group) >= 2 else None
    if fronted and rng.random() < voice.fronting:
        after = subject[:1].lower() + subject[1:] if subject else plan.pronoun(False)  # "Made of steel, the pan ..."
        return f"{fronted}, {after} {join_phrases(group[1:], plan.plural)}."
    if len(group) == 2 and group[0].singular != group[1].singular and rng.random() < 0.3:
        return f"{pronoun} {group[0].text(plan.plural)}, and {plan.pronoun(False)} {group[1].text(plan.plural)}."
    return f"{pronoun} {join_phrases(group, plan.plural)}."


def _material_of_which(fact: Fact, plan: ContentPlan) -> bool:
    """"Material: Wood" for an "Artificial Plant with Pot": the wood may be the pot's alone, so saying the
    product "is made of wood" could be false; a material of a two-thing name is left to the merchant."""
    two = re.split(r"\s+(?:with|and|&)\s+", plan.name, maxsplit=1, flags=re.I)
    # a set, combo or pack is one thing made of its material ("Laptop Skin with Mouse pad Combo Set")
    return fact.role == "material" and fact.key.lower() in ("material", "material type", "body material") and \
        len(two) == 2 and len(two[1].split()) <= 3 and \
        not re.search(r"\b(?:set|combo|pack|kit|pair)s?$", plan.name.strip(), re.I)


def _merge_made_for(phrases: list[Phrase]) -> list[Phrase]:
    """"is made for yoga and gym" + "is made for men and women" -> "is made for yoga and gym, and for men and
    women": what it is for said once, not in two sentences that both say "made for"."""
    made = [p for p in phrases if p.singular == "is" and p.rest.startswith("made for ") and p.rest != "made for all weather"]
    if len(made) < 2:
        return phrases
    first, *rest = made
    said = first.rest + "".join(f", and for {p.rest.removeprefix('made for ')}" for p in rest)
    merged = Phrase("is", "are", said, first.fact, tuple(f for p in made for f in (p.fact, *p.also) if f is not first.fact))
    return [merged if p is first else p for p in phrases if p not in rest]


def _unique(phrases: list[Phrase]) -> list[Phrase]:
    """Two facts that read the same ("Strap Material: Leather Strap", "Strap Color: Leather": "a leather
    strap") are said once, with both sources."""
    kept: dict[tuple[str, str], Phrase] = {}
    said = [(p.singular, p.rest.lower()) for p in phrases]
    # "is water resistant" beside "is water resistant to 30 m": the fuller one says both
    phrases = [p for p in phrases if not any(v == p.singular and r.startswith(p.rest.lower() + " ") for v, r in said)]
    if any(p.singular == "is" and p.rest == "waterproof" for p in phrases):  # waterproof says water resistant
        phrases = [p for p in phrases if not (p.singular == "is" and p.rest == "water resistant")]
    # "Size: 4.26 cm" beside "Diameter: 4.26 cm": the measure that says which way says both
    measured = {q.fact.value.strip().lower() for q in phrases if q.fact.role == "size" and not q.rest.startswith("in size")}
    phrases = [p for p in phrases if not (p.rest.startswith("in size ") and p.fact.value.strip().lower() in measured)]
    for phrase in phrases:
        said = (phrase.singular, phrase.rest.lower())
        kept[said] = replace(kept[said], also=kept[said].also + (phrase.fact,)) if said in kept else phrase
    return list(kept.values())


def _also(text: str, previous: str) -> str:
    """"It has a white dial. It has a round dial." -> "... It also has a round dial.": a sentence that starts
    as the one before it did adds "also"."""
    words, before = text.split(), previous.split()
    if len(words) < 3 or words[:2] != before[:2] or words[0].lower() not in ("it", "they") or "also" in words[:3]:
        return text
    verb = words[1]
    if verb in ("is", "are"):
        return " ".join([words[0], verb, "also", *words[2:]])
    if verb in ("has", "have", "comes", "come", "holds", "hold", "works", "work", "weighs", "weigh", "measures", "measure"):
        return " ".join([words[0], "also", verb, *words[2:]])
    return text


def _choice(phrase: Phrase) -> bool:
    """"comes in black, blue or green", "in sizes S, M and L": what a shopper picks from."""
    # one size ("in size large") is not a choice: "Available in size large." reads as a fragment (round nine)
    return phrase.singular == "comes" and phrase.rest.startswith("in ") and phrase.fact.role in ("colour", "size") \
        and not phrase.rest.startswith(("in size ", "in one "))


def _groups(phrases: list[Phrase], per_sentence: int, rng: random.Random) -> list[list[Phrase]]:
    """Facts to sentences: a pack size first ("It comes as a pack of 6."), the rest ``per_sentence`` to a
    sentence in the plan's order, then the colours and sizes to choose from, what is in the box and the
    warranty, each on their own, where catalog copy puts them: last."""
    counted = [p for p in phrases if p.fact.role == "package" and p.rest.startswith("as ")]
    alone = [p for p in phrases if p.fact.role in ("package", "warranty") and p not in counted]
    choices = [p for p in phrases if _choice(p) and p not in counted]
    rest = [p for p in phrases if p not in counted and p not in alone and p not in choices]
    groups = [counted] if counted else []
    while rest:
        take = per_sentence + (per_sentence > 1 and len(rest) == per_sentence + 1 and rng.random() < 0.5)
        groups.append(rest[:take])
        rest = rest[take:]
    boxed = [p for p in alone if p.rest.startswith("with ")]
    if len(boxed) == 2 and {p.fact.role for p in boxed} == {"package", "warranty"}:
        alone = [p for p in alone if p not in boxed] + [boxed]  # "It comes with a lid and a 1-year warranty."
    return groups + ([choices] if choices else []) + [p if isinstance(p, list) else [p] for p in alone]


def _shopper_line(group: list[Phrase], plan: ContentPlan, rng: random.Random) -> str | None:
    """The shapes catalog copy gives the lines a shopper scans for, rather than one more "It comes ...":
    "Available in black, blue or green.", "It comes with a lid and a 1-year warranty." None for any other
    group. The words added say nothing about the product."""
    said = join_phrases(group, plan.plural)
    verb = group[0].plural if plan.plural else group[0].singular
    body = said[len(verb) + 1:] if said.startswith(verb + " ") else ""
    if not body:
        return None
    colours = group[0].rest
    if all(_choice(p) for p in group) and (" or " in colours or not re.search(r",| and ", colours)):
        # only a choice ("black, blue or green") or one colour is "available in": "Color: Blue, Silver" is one
        # product in two colours, and "Available in blue and silver" would offer two (round nine's editor)
        if " or " in body and "," in body and " and " not in body and rng.random() < 0.5:
            return f"Choose from {body[3:].replace(' or ', ' and ')}."  # "Choose from solid black, blue and green."
        return f"Available {body}."
    if len(group) == 2 and all(p.rest.startswith("with ") for p in group):
        box, warranty = sorted(group, key=lambda p: p.fact.role != "package")
        joiner = ", along with" if " and " in box.rest or "," in box.rest else " and"
        return f"{plan.pronoun()} {verb} {box.rest}{joiner} {warranty.rest.removeprefix('with ')}."
    return None


# How many facts each description length states (all of them for "long"); the opening states one or more.
FACTS_FOR_LENGTH = {"short": 3, "standard": 9, "long": 99}


def realise(plan: ContentPlan, tone: str = "neutral", seed: int = 0, length: str = "standard",
            skip: set[str] = frozenset(), audience: str = "") -> list[Sentence]:
    """The plan as sentences: an opening that names the product and says what it is, then the facts a few
    to a sentence in the tone's voice, the merchant's own features, the care line, and (for some tones) a
    closing line. ``skip``: sources already stated elsewhere (by the model's sentences)."""
    voice = VOICES.get(tone, VOICES["neutral"])
    rng = random.Random(f"{seed}:{tone}:{plan.name}")
    care = [f for f in plan.facts if f.role == "care" and not f.is_flag and f.source not in skip and
            (len(f.value.split()) > 3 or f.value.split()[0].lower().strip(",") in _IMPERATIVE)]
    stated = [f for f in plan.facts if f.source not in skip and f not in care and not _material_of_which(f, plan)
              and not doubtful(f, plan)]  # "Mug Capacity: 5.5 l": left for the merchant to check, not repeated
    # what it is called includes what its shelf sells: a router named "Edimax AR-7286WNA" does not come with a router
    fact_name = f"{plan.name} {plan.product_type} {_plain_type(plan)}"
    def prepared(leave_out_said_by_name: bool) -> list[Phrase]:
        phrases = _unique([p for p in (phrase_for(f, fact_name) for f in stated
                                       if not (leave_out_said_by_name and _said_by_name(f, plan))) if p is not None])
        if len(phrases) < 3:
            # a name that says most facts ("Tapyti Casual Sleeveless Solid Women's Top") leaves two lines of copy:
            # the description says them as prose too, since a shopper reads it apart from the title
            phrases = _unique([p for p in (phrase_for(f, fact_name) for f in stated) if p is not None])
        # "Style: Snug" beside the merchant's "Snug fit." bullet: the bullet says it ("It features a snug fit.")
        noted = [set(re.findall(r"[a-z]+", b.lower())) for b in plan.bullets] if length != "short" else []
        phrases = [p for p in phrases if not (p.fact.role == "style" and any(
            set(re.findall(r"[a-z]+", p.rest.lower())) - {"a", "an", "style"} <= words for words in noted))]
        # a pack size is what a shopper must not miss ("a pack of 6"): never among the facts a length leaves out
        phrases = sorted(phrases, key=lambda p: not (p.fact.role == "package" and p.rest.startswith("as ")))
        # merged phrases may meet one said whole ("a gold strap" + "a metal strap" -> "Strap Type: Gold Metal")
        phrases = _unique(_merge_made_for(_merge_heads(_merge_solid(_merge_pack(phrases)))))
        phrases = _merge_materials(_merge_dimensions(phrases[: FACTS_FOR_LENGTH.get(length, 7)]))
        # a capacity on a drink's shelf names the drink: "holds 330 ml of coffee" (engine/copywriting/appeal.py)
        phrases = [replace(p, rest=holds_what(plan, p.rest)) if p.singular == "holds" and p.fact.role == "size" else p
                   for p in phrases]
        sizes = [p for p in phrases if p.rest.startswith("in size")]  # "comes in black and in sizes S and M"
        if sizes and any(p.fact.role == "colour" for p in phrases):
            phrases = [q for p in phrases if p not in sizes for q in ([p, *sizes] if p.fact.role == "colour" else [p])]
        return phrases

    phrases = prepared(leave_out_said_by_name=True)
    sentences = []
    does = purpose(plan, _kind(plan)) if f"name: {plan.name}" not in skip else ""
    if f"name: {plan.name}" not in skip:
        trial = random.Random()
        trial.setstate(rng.getstate())
        first, said = _opening(plan, phrases, voice, rng, does)
        if "," in plan.name and voice is VOICES["neutral"]:
            # an opening that leaves a listing name to the title (``_from_the_brand``) says its facts as prose;
            # tried from the same random state, so the text stays the seed's
            every = prepared(leave_out_said_by_name=False)
            unnamed, unsaid = _opening(plan, every, voice, trial, does)
            if unnamed.text.startswith(("This ", "These ")) and f" from {plan.brand} " in unnamed.text:
                first, said, phrases = unnamed, unsaid, every
                rng.setstate(trial.getstate())
        does = "" if does and does.partition(" ")[2] in first.text else does
        sentences.append(first)
        phrases = [p for p in phrases if p not in said]
    head = _kind_head(_kind(plan))
    occasion = next((p for p in phrases if p.fact.role == "use" and p.rest.startswith("right for ")), None)
    wear = weather = None
    if occasion and _worn(plan):  # "Right for casual occasions" -> "Wear them on casual occasions."
        phrases = [p for p in phrases if p is not occasion]
        wear = Sentence(f"{rng.choice(('Made', 'Perfect'))} for {occasion.rest.removeprefix('right for ')}.",
                        occasion.sources)
    climate = next((p for p in phrases if p.fact.role == "use" and p.fact.key.lower() == "climate"), None)
    if climate and climate_sentence(climate.fact.value, plan.plural):
        # "Wear it indoors and when it is warm." after the other facts, beside the occasion it is worn for (a
        # catalog gives a climate only to what is worn)
        phrases = [p for p in phrases if p is not climate]
        weather = Sentence(climate_sentence(climate.fact.value, plan.plural), climate.sources)
    if weather and weather.text.endswith(" in any weather.") and sentences and f"name: {plan.name}" not in skip:
        said = re.search(r"\ball[- ]weather\b", plan.name, re.I)  # "The Argus All-Weather Tank" says it
        opened = sentences[0].text if said else _all_weather(sentences[0].text, plan)
        if opened:  # "... is an all-weather solid blue tank ...", not one more "Wear it in any weather."
            sentences[0] = Sentence(opened, sentences[0].facts + weather.facts)
            weather = None
    groups = _groups(phrases, voice.per_sentence, rng)
    tail = len(sentences) + next((i for i, g in enumerate(groups) if all(
        _choice(p) or p.fact.role in ("package", "warranty") and not p.rest.startswith("as ") for p in g)), len(groups))
    for index, group in enumerate(groups):
        # every other sentence names the product by its kind ("The mug holds 330 ml"), not "It" again
        repeats = any(head in p.rest.lower().split() for p in group) if head else True
        subject = f"The {head}" if head and len(sentences) % 2 == 0 and not repeats else ""
        text = (not voice.you and _shopper_line(group, plan, rng)) or _body_sentence(group, plan, voice, rng, subject)
        if voice.exclaim and index == len(groups) - 1 and len(groups) > 1 and text.startswith(plan.pronoun()):
            text = "Oh, and " + text[:1].lower() + text[1:-1] + "!"
        elif voice.exclaim and index % 2 == 1:
            text = text[:-1] + "!"
        text = _also(text, sentences[-1].text if sentences else "")
        sentences.append(Sentence(" ".join(text.split()), [s for p in group for s in p.sources]))
    if wear and sentences and f"name: {plan.name}" not in skip and _folds(sentences[0].text, plan):
        # "... are brown boots for women, made for casual wear.": the occasion joins what it is, not a fragment
        sentences[0] = Sentence(f"{sentences[0].text[:-1]}, {wear.text[:1].lower()}{wear.text[1:]}",
                                sentences[0].facts + wear.facts)
        wear = None
    sentences[tail:tail] = [s for s in (wear, weather) if s]  # how it is worn, before what to choose and the box
    if length != "short" and not any(s.startswith("your notes: ") for s in skip):
        # the merchant's own hook and features lead, after the opening: they are what the product is sold on;
        # the attributes' colours, sizes and climates follow
        at = 1 if sentences and f"name: {plan.name}" not in skip else 0
        sentences[at:at] = _note_sentences(plan, rng, most=4)
    if does and sentences:  # "The VarEesha Wooden Key Holder ... It keeps your keys in one place.": what it is for, next to what it is
        sentences.insert(1, Sentence(f"{plan.pronoun()} {_conjugated(does, plan.plural)}.", [f"name: {plan.name}"]))
    sentences += [care_sentence(f) for f in care[:1]]
    acronyms = _acronyms(plan)
    sentences = [Sentence(_with_acronyms(s.text, acronyms), s.facts, s.origin) if s.origin == "realised" else s
                 for s in sentences]
    if voice.contractions:
        sentences = [Sentence(_contract(s.text), s.facts, s.origin) if s.origin == "realised" else s for s in sentences]
    if voice.closings and audience and "name: " + plan.name not in skip:
        sentences.append(Sentence(rng.choice(voice.closings).format(audience=audience), []))
    return sentences


def _all_weather(opening: str, plan: ContentPlan) -> str:
    """An opening that says what the product is ("The Helios Endurance Tank is a solid blue tank ...") with the
    catalog's own "All-weather" before its kind ("... an all-weather solid blue tank ..."); "" where it says no kind."""
    head = _kind_head(_kind(plan))
    verb = " are " if plan.plural else " is "
    if not head or verb not in opening:
        return ""
    name, rest = opening.split(verb, 1)
    found = re.match(rf"(an? )?((?:[\w®™-]+ ){{0,4}}?){re.escape(head)}\b", rest)
    if not found or (not plan.plural and not found.group(1)):
        return ""
    # after the article, before the rest: "an all-weather full-zip flight jacket", not "a full-zip flight
    # all-weather jacket"
    article = "an " if found.group(1) else ""
    return f"{name}{verb}{article}all-weather {found.group(2)}{head}{rest[found.end():]}"


def _folds(opening: str, plan: ContentPlan) -> bool:
    """An opening that says in a few words what the product is or is made of ("... is a printed cotton top for
    women, with a round neck.") takes its occasion as one more clause."""
    said = re.split(r" (?:are|have) " if plan.plural else r" (?:is|has) ", opening, maxsplit=1)
    if len(said) != 2 or not opening.endswith("."):
        return False
    rest = said[1]
    return not rest.startswith(("made for", "suitable", "right for", "perfect", "made to")) and \
        len(rest.split()) <= 14 and rest.count(",") <= 1


def _conjugated(does: str, plural: bool) -> str:
    """"keeps your keys in one place" as a plural subject says it: "keep ...", "dries" -> "dry", "charges" ->
    "charge"."""
    verb, _, rest = does.partition(" ")
    if plural:
        verb = verb[:-3] + "y" if verb.endswith("ies") else verb[:-2] if re.search(r"(?:ch|sh|ss|x)es$", verb) \
            else verb.removesuffix("s")
    return f"{verb} {rest}"


def short_phrase(phrase: Phrase, plural: bool = False) -> str:
    """A fact as a short phrase, the verb left out where English allows: "Made of ceramic", "Microwave safe",
    "Not dishwasher safe", "Black dial"; "Holds 350 ml" keeps its verb. For bullets, captions, ad lines."""
    verb = phrase.plural if plural else phrase.singular
    if verb in ("is", "are"):
        text = phrase.rest
    elif verb in ("is not", "are not"):
        text = f"not {phrase.rest}"
    elif verb in ("has", "have"):
        text = re.sub(r"^(?:a|an) ", "", phrase.rest)
    else:
        text = phrase.text(plural)
    return text[:1].upper() + text[1:]


def captions(plan: ContentPlan, most: int = 4) -> list[str]:
    """Short lines for a video: the plan's first facts as phrases ("Made of ceramic", "Holds 350 ml")."""
    phrases = [p for p in (phrase_for(f) for f in plan.facts if not _said_by_name(f, plan)) if p is not None]
    return [short_phrase(p, plan.plural) for p in phrases if ":" not in p.rest][:most]


def join_sentences(sentences: list[Sentence], limit: int) -> str:
    """The sentences as one text, the last ones left out (never cut) past ``limit`` characters."""
    text = ""
    for sentence in sentences:
        candidate = f"{text} {sentence.text}".strip()
        if len(candidate) > limit and text:
            break
        text = candidate
    return text


def realised_description(plan: ContentPlan, settings) -> tuple[str, list[Sentence]]:
    """The whole description from the plan alone (the planned writer with no language model)."""
    sentences = realise(plan, settings.tone, settings.seed, settings.description_length,
                        audience=settings.audience)
    text = join_sentences(sentences, settings.limits.description_max)
    kept = [s for s in sentences if s.text in text]
    return text, kept

