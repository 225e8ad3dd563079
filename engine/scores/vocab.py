"""Colour and material words that the grounding score checks against the merchant's input.

Lists are lower case; multiword entries are matched as phrases (longest first) and a hyphen
counts as a space ("off-white" == "off white"). Words that are mostly something else in
product copy ("cream" in hand cream, "coffee" in coffee mug, "clear" in clear instructions,
"crystal" in crystal-clear sound, "rose", "wine", "olive" on their own, "down" in pull-down
and button-down) are left out on purpose: a false "invented colour" alarm costs the merchant more trust than a missed one. Their multiword forms stay in.
"""
from __future__ import annotations

COLORS: tuple[str, ...] = (
    # basic
    "black", "white", "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown",
    "gray", "grey",
    # named hues seen on product pages
    "beige", "tan", "khaki", "ivory", "off white", "cream white", "navy", "navy blue",
    "sky blue", "light blue", "dark blue", "royal blue", "baby blue", "powder blue",
    "teal", "turquoise", "aqua", "cyan", "indigo", "cobalt", "cobalt blue", "denim blue",
    "maroon", "burgundy", "crimson", "scarlet", "wine red", "cherry red", "coral", "salmon pink",
    "magenta", "fuchsia", "fushia", "baby pink", "hot pink", "blush pink", "peach",
    "lavender", "lavendar", "lilac", "violet", "mauve", "plum",
    "olive green", "dark green", "light green", "lime green", "mint green", "emerald",
    "emerald green", "forest green", "sea green", "bottle green", "army green",
    "mustard", "mustard yellow", "lemon yellow", "golden yellow",
    "charcoal", "charcoal gray", "charcoal grey", "light gray", "light grey", "dark gray",
    "dark grey", "slate", "slate gray", "ash gray", "heather gray", "heather grey",
    "chocolate brown", "coffee brown", "camel", "taupe", "mocha", "tan brown", "rust orange",
    "burnt orange",
    # metallic and special finishes
    "gold", "golden", "rose gold", "silver", "bronze", "copper", "champagne", "gunmetal",
    "metallic", "transparent", "multicolor", "multicolour", "multi color", "multi colour",
    "multi colored", "multi coloured", "multicolored", "multicoloured",
)

MATERIALS: tuple[str, ...] = (
    # natural fibres and textiles
    "cotton", "organic cotton", "linen", "wool", "woollen", "woolen", "merino", "merino wool",
    "cashmere", "silk", "hemp", "jute", "bamboo", "denim", "canvas", "velvet", "velour",
    "fleece", "flannel", "corduroy", "tweed", "satin", "chiffon", "georgette", "crepe",
    "muslin", "terry", "jersey", "suede", "leather", "genuine leather", "faux leather",
    "vegan leather", "pu leather", "duck down", "goose down", "down filled",
    # synthetics
    "polyester", "nylon", "spandex", "elastane", "lycra", "rayon", "viscose", "modal",
    "acrylic", "microfiber", "microfibre", "polycotton", "polypropylene", "polyurethane",
    "pvc", "vinyl", "neoprene", "mesh", "synthetic", "foam", "memory foam", "rubber",
    "silicone", "silicon", "latex", "plastic", "abs plastic",
    # metals
    "metal", "steel", "stainless steel", "iron", "cast iron", "aluminium", "aluminum",
    "brass", "copper", "bronze", "gold", "silver", "sterling silver", "titanium", "zinc",
    "chrome", "tin",
    # wood, stone, glass, ceramics, paper
    "wood", "wooden", "solid wood", "oak", "teak", "walnut", "pine", "mango wood",
    "sheesham", "rosewood", "mdf", "plywood", "engineered wood", "cork", "rattan", "wicker",
    "cane", "glass", "tempered glass", "ceramic", "porcelain", "stoneware",
    "earthenware", "terracotta", "bone china", "marble", "granite", "stone", "concrete",
    "paper", "cardboard", "paper mache",
    # stones: "sapphire glass" on a watch is a claim about what it is made of
    "sapphire", "diamond", "ruby", "pearl", "gemstone", "zircon", "cubic zirconia", "quartz", "onyx",
    "amethyst", "topaz", "opal", "jade",
)

# Spellings and adjective forms that name the same thing, so "grey" output counts as
# grounded by a "gray" input and "wooden" by "wood".
ALIASES: dict[str, str] = {
    "grey": "gray", "charcoal grey": "charcoal gray", "light grey": "light gray",
    "dark grey": "dark gray", "heather grey": "heather gray", "golden": "gold",
    "lavendar": "lavender", "fushia": "fuchsia", "navy blue": "navy",
    "multicolour": "multicolor", "multi color": "multicolor", "multi colour": "multicolor",
    "multi colored": "multicolor", "multi coloured": "multicolor", "multicolored": "multicolor",
    "multicoloured": "multicolor", "woollen": "wool", "woolen": "wool", "wooden": "wood",
    "aluminum": "aluminium", "microfibre": "microfiber", "silicon": "silicone",
    "emerald green": "emerald", "cobalt blue": "cobalt",
}

# Number words a copywriter may spell out; the grounding check compares values, not spelling.
# "single", "double", "twin" are left out: in "double bed" or "twin pack" they name a size.
NUMBER_WORDS: dict[str, str] = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "dozen": "12",
}

# Unit spellings folded to one symbol so "213 cm" and "213 centimetres" are the same fact.
UNITS: dict[str, str] = {
    "mm": "mm", "millimeter": "mm", "millimetre": "mm",
    "cm": "cm", "centimeter": "cm", "centimetre": "cm", "cms": "cm",
    "m": "m", "meter": "m", "metre": "m", "km": "km",
    # A bare "in" or "'" is left out: "5 in a set" and "the 90's" are not measurements.
    "inch": "in", '"': "in", "ft": "ft", "feet": "ft", "foot": "ft",
    "g": "g", "gm": "g", "gram": "g", "gsm": "gsm", "kg": "kg", "kilogram": "kg",
    "lb": "lb", "pound": "lb", "lbs": "lb", "oz": "oz", "ounce": "oz",
    "ml": "ml", "milliliter": "ml", "millilitre": "ml", "l": "l", "liter": "l", "litre": "l",
    "w": "w", "watt": "w", "v": "v", "volt": "v", "mah": "mah", "hz": "hz",
    "gb": "gb", "tb": "tb", "mb": "mb", "mp": "mp", "k": "k",
    "%": "%", "percent": "%", "x": "x",
    "pack": "pack", "pc": "pc", "pcs": "pc", "piece": "pc", "set": "set", "pair": "pair",
    "year": "year", "yr": "year", "month": "month", "week": "week", "wk": "week", "day": "day", "hour": "hour", "hr": "hour",
    "minute": "min", "min": "min", "rs": "rs", "inr": "rs", "usd": "usd", "$": "usd",
}
