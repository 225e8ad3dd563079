"""Build assets/vocab/house_words.json: the words any product copy may use, whatever the input.

Licensed decoding (engine/copywriting/licence.py) lets the language model write a word only when
the merchant's input has it (or an inflection or derivation of one of its words) or when it is a
house word: a word that states no fact about a product. This script mines that list and writes
it with the rule it followed, so a reviewer can read every word the model may write unasked.

The rule, in order:
1. Mined: lower-cased alphabetic words of the training copy (title, description and bullets of the
   training split, by product id, of the Luma and Flipkart catalogs; Flipkart descriptions cleaned
   of the crawl's store boilerplate by ``clean_reference_description``, so "genuine products",
   "free shipping" and "cash on delivery" count for nothing) used by at least ``--min-products``
   products spread over at least ``--min-categories`` top-level categories. A word that only one
   kind of product uses ("hoodie", "dial", "curtain") names something about that product.
2. Plus English function words (scikit-learn's ENGLISH_STOP_WORDS), negators included: "not",
   "no", "never", "without" say nothing by themselves, and the claim check catches a contradiction;
   and GENERIC_WORDS, a short reviewed list of praise and everyday-use words too rare in 800
   products to be mined ("everyday", "versatile", "timeless").
3. Minus every word that can state a fact:
   - things: concrete nouns (WordNet artifacts, food, substances, plants, animals, body parts,
     ``engine.scores.claims.is_concrete_noun``) and modern gadgets WordNet lacks;
   - colours and materials: every word of the grounding vocabulary (``engine.scores.vocab``);
   - units and number words: the grounding check compares numbers, so a spelled "two" or a bare
     "litre" must come from the input;
   - names of places, people and brands (WordNet's first noun sense is one particular thing);
   - CLAIM_WORDS below, with their inflections (a word whose WordNet base form is one of them), and
     words built on a claim: anything ending in "proof" or "free", starting with "anti" or "non";
   - words WordNet does not know (crawl debris and names: "upto", "rajasthan").
4. Plus the base forms and inflections of what is left (``engine.copywriting.licence.inflections``:
   "elements" -> element, "hold" -> holds, holding, held), each filtered as in 3 and dropped when it
   opens with a claim word ("handier" from "handy" lets the model write "handier-made"), so the
   file lists every house word the decoder allows.
The claim list is hand-made and errs towards claims: a word that some products could truthfully
say and others not ("durable", "soft", "lightweight", "handmade", "digital") is a claim; praise that
no buyer can test ("stylish", "perfect", "elegant", "great", "quality") is not.

    .venv/bin/python scripts/build_house_vocab.py
"""
from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from engine.core.paths import ASSETS

VERSION = 1
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CATALOGS = (DATA / "luma" / "products.jsonl", DATA / "flipkart-train" / "products.jsonl")
WORD = re.compile(r"[^\W\d_]+")  # letters of any alphabet: "décor" is one word, not "d" + "cor"

# Words that state something a buyer could find false, grouped by what they claim. The input may
# still license any of them; the house list never does.
CLAIM_WORDS: dict[str, tuple[str, ...]] = {
    "water and weather": (
        "water", "waterproof", "watertight", "splash", "rain", "rainproof", "weatherproof", "weather",
        "moisture", "wicking", "wick", "breathable", "breathe", "dry", "drying", "absorbent", "absorb",
        "absorbs", "absorption", "quick", "humid", "humidity", "windproof", "wind", "snow", "outdoor",
        "outdoors", "indoor"),
    "resistance and strength": (
        "resistant", "resistance", "resist", "resists", "repellent", "repellant", "proof", "durable",
        "durability", "sturdy", "strong", "strength", "tough", "rugged", "robust", "unbreakable",
        "break", "breakable", "shatter", "scratch", "rust", "stain", "fade", "fading", "wrinkle",
        "crease", "shrink", "shrinkage", "tear", "leak", "leakproof", "spill", "odor", "odour", "lasting",
        "longer", "lifetime", "reinforced", "heavy", "duty", "grade", "industrial", "commercial"),
    "health, safety and care": (
        "safe", "safety", "health", "healthy", "hygienic", "hygiene", "toxic", "nontoxic", "bpa", "lead",
        "chemical", "chemicals", "harmful", "harmless", "allergy", "allergic", "allergen", "hypoallergenic",
        "dermatologically", "dermatologist", "dermatological", "tested", "clinically", "clinical", "proven",
        "medical", "medically", "medicine", "doctor", "doctors", "cure", "cures", "heal", "heals", "healing",
        "treat", "treats", "treatment", "therapy", "therapeutic", "relief", "relieve", "pain", "remedy",
        "prevent", "prevents", "prevention", "protect", "protects", "protection", "protective", "shield",
        "uv", "spf", "sun", "germ", "germs", "bacteria", "bacterial", "antibacterial", "antimicrobial",
        "antifungal", "sanitize", "sanitary", "sterile", "sterilize", "disinfect", "skin", "sensitive",
        "gentle", "irritation", "soothing", "soothe", "nourish", "nourishing", "moisturize", "moisturizing",
        "hydrate", "hydrating", "acne", "wrinkles", "whitening", "fairness", "glow", "posture", "support",
        "orthopedic", "ergonomic", "ergonomically", "choking", "hazard", "certified", "certification",
        "approved", "approval", "fda", "iso", "standard", "standards", "compliant", "wash", "washable",
        "washing", "wipe", "bleach", "clean", "cleaning", "maintenance", "care"),
    "temperature": (
        "hot", "cold", "warm", "warmth", "cool", "cooling", "heat", "thermal", "insulated", "insulation",
        "temperature", "winter", "summer", "freezer", "oven", "microwave", "dishwasher", "fridge",
        "refrigerator", "stove", "flame", "fire", "fireproof"),
    "power and technology": (
        "wireless", "cordless", "rechargeable", "battery", "batteries", "charge", "charging", "power",
        "powered", "powerful", "electric", "electrical", "electronic", "solar", "energy", "efficient",
        "usb", "bluetooth", "wifi", "led", "digital", "analog", "analogue", "automatic", "manual", "smart",
        "hd", "ultra", "speed", "fast", "silent", "noise", "waterproofing", "compatible", "technology",
        "advanced", "precision", "accurate", "accuracy", "sensor", "memory", "storage"),
    "origin, making and authenticity": (
        "handmade", "handcrafted", "handwoven", "handloom", "handpainted", "hand", "artisan", "artisans",
        "imported", "import", "local", "locally", "traditional", "ethnic", "india", "indian", "china",
        "chinese", "usa", "american", "italy", "italian", "japan", "japanese", "german", "germany",
        "france", "french", "british", "england", "european", "genuine", "authentic", "original",
        "official", "licensed", "patent", "patented", "brand", "branded", "warranty", "warranted",
        "guarantee", "guaranteed", "replacement", "certificate", "exclusive", "limited", "edition",
        "new", "latest", "newest", "vintage", "antique"),
    "nature and ingredients": (
        "organic", "natural", "naturally", "nature", "pure", "purity", "herbal", "ayurvedic", "vegan",
        "cruelty", "biodegradable", "recyclable", "recycled", "sustainable", "sustainably",
        "environment", "environmental", "eco", "paraben", "sulphate", "sulfate", "fragrance", "scented",
        "unscented", "extract", "extracts", "ingredients", "ingredient", "vitamin", "mineral", "minerals",
        "free"),
    "fit, size and shape": (
        "adjustable", "removable", "detachable", "foldable", "portable", "compact", "lightweight", "light",
        "weight", "large", "small", "big", "huge", "tiny", "mini", "tall", "wide", "narrow", "long", "short",
        "spacious", "roomy", "capacity", "slim", "regular", "loose", "tight", "stretch", "stretchable",
        "elastic", "flexible", "soft", "softness", "smooth", "hard", "thick", "thin", "round", "square",
        "rectangular", "oval", "circular", "curved", "flat", "full", "half", "sleeve", "sleeves", "sleeveless",
        "length", "width", "height", "depth", "size", "sizes", "universal", "fits", "multiple", "assorted",
        "reversible", "stackable", "waist", "neck", "collar"),
    "look and finish": (
        "printed", "print", "prints", "printing", "embroidered", "embroidery", "floral", "striped", "stripes",
        "checked", "checkered", "polka", "dotted", "textured", "glossy", "matte", "gloss", "polished",
        "coated", "coating", "painted", "lacquered", "solid", "plain", "colorful", "colourful", "bright",
        "vibrant", "dark", "shiny", "sparkling", "transparent", "clear", "crystal", "reflective", "illuminated",
        "glow", "abstract", "geometric", "graphic", "animal", "cartoon", "stainless", "faux", "sterling",
        "engineered", "tempered", "cast", "royal"),
    "audience": (
        "men", "man", "women", "woman", "boys", "boy", "girls", "girl", "kids", "kid", "children", "child",
        "baby", "babies", "infant", "infants", "toddler", "toddlers", "newborn", "unisex", "ladies", "lady",
        "gents", "gentlemen", "adult", "adults", "teen", "teens", "teenager", "teenagers", "he", "she", "him",
        "her", "his", "hers", "himself", "herself", "mens", "womens", "professional", "professionals",
        "athletes", "beginners", "pets"),
    "praise, price and the shop": (
        "best", "bestselling", "bestseller", "award", "awarded", "winning", "rated", "popular", "favourite",
        "favorite", "customers", "customer", "reviews", "review", "trusted", "recommended", "recommend",
        "expert", "experts", "price", "prices", "priced", "cheap", "affordable", "budget", "discount",
        "discounts", "offer", "offers", "sale", "deal", "deals", "save", "savings", "shipping", "delivery",
        "cash", "return", "returns", "refund", "online", "flipkart", "buy", "shop", "store", "stock",
        "available", "availability", "included", "includes", "include", "including", "comes", "package",
        "packaging", "box", "disclaimer", "famous", "international", "company", "artists", "reliable",
        "reliability", "endurance"),
    "use and activity": (
        "yoga", "training", "workout", "workouts", "fitness", "sport", "sports", "sporty", "athletic",
        "camping", "trek", "trekking", "hiking", "running", "gym", "exercise", "travel", "travelling",
        "office", "school", "party", "wedding", "festive", "festival", "season", "seasons", "install",
        "installation", "alarm", "display", "movement", "control", "volume", "aroma", "fresh", "freshness",
        "air", "rays", "wet", "damage", "safely", "friendly", "grip", "quickly"),
    # Not a claim about the product but the model talking about itself ("I am a fan", "part of my
    # life"), which the claim check flags as meta-text; "we" and "our" stay for a brand's voice.
    "the writer's voice": ("i", "me", "my", "mine", "myself", "am"),
    "construction": (
        "band", "zip", "zipper", "zippered", "padded", "cushioned", "quilted", "woven", "knitted", "fitted",
        "lined", "liner", "ribbed", "brushed", "stretchy", "pant", "pants", "table", "king", "queen",
        "medium", "mom", "dad", "anti", "non", "handle", "handles", "lock", "locks", "cover", "covers", "net",
        "watch", "trail", "gear", "snug", "cozy", "cosy", "remove", "maintain", "angel", "lining", "wrought"),
}
# Function words that are facts in product copy: amounts, sizes and the odd noun in the stop list.
STOP_WORD_EXCEPTIONS = {"bill", "computer", "con", "cry", "de", "describe", "detail", "empty", "fire", "full",
                        "interest", "mill", "sincere", "system", "thick", "thin", "thickv", "amoungst", "co",
                        "inc", "ltd", "eg", "ie", "etc", "un", "re", "top", "bottom", "front", "back", "side",
                        "found", "find", "call", "hasnt"}
# Numbers spelled out (the grounding check only compares digits) and words that count.
NUMBER_WORDS = {"zero", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
                "thousand", "million", "billion", "single", "double", "triple", "twin", "twins", "dozen",
                "quarter", "half", "once", "twice", "thrice", "first", "second", "third", "fourth", "fifth",
                "sixth", "seventh", "eighth", "ninth", "tenth", "couple", "pairs", "sets", "pieces", "pcs",
                "packs", "dual"}
CLAIM_PREFIXES = ("anti", "non")
CLAIM_SUFFIXES = ("proof", "free")
# Common copy words too rare in 800 products to be mined, checked like the mined ones: praise and
# everyday use that no buyer can test.
GENERIC_WORDS = {"everyday", "daily", "versatile", "practical", "functional", "timeless", "charming", "chic",
                 "trendy", "sleek", "classic", "lovely", "delightful", "wonderful", "excellent", "stunning",
                 "gorgeous", "graceful", "pretty", "beautiful", "simple", "simplicity", "modern", "contemporary",
                 "attractive", "appealing", "charm", "elegance", "sophisticated", "sophistication", "refined",
                 "essential", "ideal", "perfect", "perfectly", "suitable", "suits", "occasion",
                 "occasions", "gift", "gifts", "gifting", "loved", "enjoy", "enjoyable", "everyone",
                 "useful", "convenient", "convenience", "handy", "neat", "tidy", "organised", "organized",
                 "personal", "personality", "statement", "vibe", "mood", "moment", "moments",
                 "decor", "accent", "accents", "highlight", "complement", "complements", "match", "matches",
                 "truly", "really", "exceptional", "remarkable", "bold", "creative", "boast", "boasts",
                 "showcase", "showcases", "reflect", "reflects", "spirit", "particular", "people", "option",
                 "choice", "overall", "aesthetic", "whimsy", "fun", "playful", "joy", "smile"}
# Nouns that name no particular thing: "this product", "a great item", "made of quality material".
GENERIC_NOUNS = {"product", "products", "item", "items", "material", "materials", "eye", "color", "colour",
                 "colors", "colours", "classic"}
# Colour words that are also everyday words and state no colour alone ("a splash of color").
COLOUR_EXCEPTIONS = {"color", "colour", "colors", "colours", "off", "down", "in"}


def category_of(row: dict, catalog: Path) -> str:
    path = row.get("category_path") or [p for p in str(row.get("category", "")).split("/") if p]
    return f"{catalog.parent.name}: {path[0] if path else '?'}"


def copy_of(row: dict) -> str:
    from engine.training.data import clean_reference_description

    description = clean_reference_description(row.get("description") or "", row.get("title") or "",
                                              bool(row.get("desc_boilerplate")))
    return " ".join([row.get("title") or "", description, *(row.get("bullets") or [])])


def mine(catalogs, min_products: int, min_categories: int) -> tuple[set[str], int, int]:
    """Words used by ``min_products`` training products of ``min_categories`` top-level categories."""
    from engine.training.data import split_of

    products: dict[str, set[str]] = defaultdict(set)
    categories: dict[str, set[str]] = defaultdict(set)
    seen, all_categories = 0, set()
    for catalog in catalogs:
        for line in catalog.read_text(encoding="utf-8").split("\n"):  # not splitlines: copy holds U+2028
            if not line.strip():
                continue
            row = json.loads(line)
            if split_of(str(row.get("id", ""))) != "train":
                continue
            seen += 1
            category = category_of(row, catalog)
            all_categories.add(category)
            for word in {w.lower() for w in WORD.findall(copy_of(row)) if w.isascii()}:
                products[word].add(row["id"])
                categories[word].add(category)
    mined = {w for w in products if len(products[w]) >= min_products and len(categories[w]) >= min_categories}
    return mined, seen, len(all_categories)


def claim_words() -> set[str]:
    return {w for group in CLAIM_WORDS.values() for w in group}


def facts_of_vocab() -> set[str]:
    """Every word of the colour, material and unit vocabularies, and the number words."""
    from engine.scores.vocab import COLORS, MATERIALS, NUMBER_WORDS as SPELLED, UNITS

    words = {w for term in (*COLORS, *MATERIALS) for w in term.split()} - COLOUR_EXCEPTIONS
    units = {u for u in UNITS if u.isalpha()}
    words |= units | {u + "s" for u in units} | {u + "es" for u in units}
    return words | set(SPELLED) | NUMBER_WORDS


def mostly_noun(word: str) -> bool:
    """At least half of the word's uses in WordNet's sense counts are as a noun: "keep", "still" and
    "stand" are mostly not, whatever a castle keep is."""
    from engine.scores.reference import load_wordnet

    wn = load_wordnet()
    counts = {}
    for pos in ("n", "v", "a", "r"):
        base = wn.morphy(word, pos)
        if base:
            counts[pos] = 0.5 + sum(l.count() for s in wn.synsets(base, pos) for l in s.lemmas()
                                    if l.name().lower() == base)
    return counts.get("n", 0) >= 0.5 * sum(counts.values()) > 0


def why_not(word: str, claims: set[str], facts: set[str], stop_words: set[str]) -> str | None:
    """Why ``word`` cannot be a house word, or None when it can."""
    from engine.scores.claims import MODERN_THINGS, is_concrete_noun, is_proper_name, lemmas
    from engine.scores.reference import load_wordnet

    if len(word) < 2 and word not in ("a", "i"):
        return "letter"
    if word in claims or lemmas(word) & claims:
        return "claim"
    if len(word) > 5 and (word.startswith(CLAIM_PREFIXES) or word.endswith(CLAIM_SUFFIXES)):
        return "claim"
    if word in facts or lemmas(word) & facts:
        return "colour, material, unit or number"
    if word in stop_words or word in GENERIC_NOUNS:
        return None  # WordNet reads "as" as arsenic and "can" as a tin: function words are words
    wn = load_wordnet()
    if not any(wn.morphy(word, pos) for pos in ("n", "v", "a", "r")):
        return "not in WordNet"  # names and crawl debris: "rajasthan", "upto", "pl"
    if word in MODERN_THINGS or is_concrete_noun(word) and mostly_noun(word):
        return "thing"
    if is_proper_name(word) and not wn.synsets(word, "v"):
        return "name"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalogs", type=Path, nargs="*", default=list(CATALOGS))
    parser.add_argument("--min-products", type=int, default=4)
    parser.add_argument("--min-categories", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ASSETS / "vocab" / "house_words.json")
    parser.add_argument("--sample", type=int, default=60, help="house words to print for a look")
    args = parser.parse_args()

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    mined, products, categories = mine(args.catalogs, args.min_products, args.min_categories)
    claims, facts = claim_words(), facts_of_vocab()
    stop_words = set(ENGLISH_STOP_WORDS) - STOP_WORD_EXCEPTIONS
    dropped: dict[str, set[str]] = defaultdict(set)
    words = []
    for word in sorted(mined | stop_words | GENERIC_WORDS):
        reason = why_not(word, claims, facts, stop_words)
        if reason:
            dropped[reason].add(word)
        else:
            words.append(word)
    # The list is what the decoder allows, word for word: a house word's base form and inflections
    # are listed too ("elements" -> element; "hold" -> holds, holding, held), each checked like a
    # mined word ("good" -> "best" is praise).
    from engine.copywriting.licence import inflections
    from engine.scores.reference import load_wordnet

    wn = load_wordnet()
    kept = set(words)
    for word in [w for w in words if w not in stop_words]:
        bases = {word} | {b for b in (wn.morphy(word, pos) for pos in ("n", "v", "a")) if b and b.isalpha()}
        for form in sorted(set().union(*map(inflections, bases)) - kept):
            # a form that opens with a claim spells around it: "handy" may stay, "handier-made" not
            spells = any(form.startswith(c) for c in claims if len(c) >= 4) and form not in mined | GENERIC_WORDS
            reason = "spells a claim" if spells else why_not(form, claims, facts, stop_words)
            if reason:
                dropped[f"{reason} (inflection)"].add(form)
            else:
                kept.add(form)
    words = sorted(kept)
    rule = (f"Lower-cased alphabetic words of the title, description (store boilerplate removed) and "
            f"bullets of the training products of {', '.join(c.parent.name for c in args.catalogs)}, "
            f"used by at least {args.min_products} products in at least {args.min_categories} of "
            f"{categories} top-level categories, plus scikit-learn's English stop words and a short reviewed "
            f"list of generic copy words (GENERIC_WORDS in the script), and the inflections of those that "
            f"WordNet confirms; minus concrete "
            f"nouns (WordNet), words WordNet does not know, names of places, people and brands, colour, "
            f"material and unit words, "
            f"number words, and the claim words below with their inflections and any word starting "
            f"with {'/'.join(CLAIM_PREFIXES)} or ending in {'/'.join(CLAIM_SUFFIXES)}. "
            f"Built by scripts/build_house_vocab.py.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"version": VERSION, "rule": rule, "claim_words": sorted(claims),
                                    "words": words}, indent=0) + "\n")
    print(f"{products} training products, {categories} categories: {len(mined)} mined + "
          f"{len(stop_words)} stop words + {len(GENERIC_WORDS)} generic -> {len(words)} house words -> {args.out}")
    for reason, found in sorted(dropped.items()):
        found = sorted(found)
        print(f"  dropped as {reason} ({len(found)}): {' '.join(found[:80])}{' ...' if len(found) > 80 else ''}")
    step = max(1, len(words) // max(1, args.sample))
    print("sample:", " ".join(words[::step]))


if __name__ == "__main__":
    main()
