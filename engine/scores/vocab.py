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
# "hundred", "thousand" and "dozen" multiply what comes before them ("two dozen" is 24).
NUMBER_WORDS: dict[str, str] = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "dozen": "12", "hundred": "100", "thousand": "1000",
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

# -- claims the claim check (engine/scores/claims.py) flags unless the input states them -------------

# Features a buyer can hold the product to. Written once each; a hyphen, a space or nothing may join
# the parts ("non-stick" == "non stick" == "nonstick"). Words that are mostly praise ("durable",
# "lightweight", "ergonomic", "portable") are left out: a buyer cannot prove them false.
FEATURES: tuple[str, ...] = (
    # water, weather, wear
    "waterproof", "water proof", "water resistant", "water resistance", "water repellent", "splash proof",
    "splash resistant", "sweat proof", "weatherproof", "weather resistant", "windproof", "wind resistant",
    "dustproof", "dust resistant", "shockproof", "shock resistant", "shock absorbent", "impact resistant",
    "scratch resistant", "scratch proof", "stain resistant", "stain proof", "wrinkle free", "wrinkle resistant",
    "crease resistant", "fade resistant", "fade proof", "colourfast", "colorfast", "shrink resistant",
    "pre shrunk", "rustproof", "rust proof", "rust resistant", "corrosion resistant", "anti tarnish",
    "tarnish free", "tarnish resistant", "fireproof", "fire resistant", "flame retardant", "flame resistant",
    "heat resistant", "heatproof", "heat proof", "leakproof", "leak proof", "spill proof", "airtight",
    "unbreakable", "shatterproof", "shatter proof", "shatter resistant", "tamper proof", "childproof",
    "tear resistant", "odour resistant", "odor resistant", "anti odour", "anti odor", "odour free",
    "odor free", "anti static", "anti fog", "anti theft", "anti glare", "anti reflective",
    "anti slip", "non slip", "slip resistant", "anti skid", "non skid",
    # kitchen and food safety
    "dishwasher safe", "microwave safe", "oven safe", "freezer safe", "fridge safe", "induction compatible",
    "induction friendly", "induction ready", "induction base", "food grade", "food safe", "non stick",
    "non toxic", "bpa free", "lead free", "toxin free", "chemical free", "phthalate free", "paraben free",
    "sulphate free", "sulfate free", "alcohol free", "fragrance free", "gluten free", "sugar free",
    "fat free", "cruelty free", "skin friendly", "skin safe", "ph balanced",
    "anti bacterial", "antibacterial", "antimicrobial", "anti microbial", "hypoallergenic",
    # sun and light
    "uv protection", "uv protected", "uv resistant", "uv400", "uv blocking", "polarized", "polarised", "spf",
    # comfort fabrics
    "breathable", "moisture wicking", "sweat wicking", "quick dry", "quick drying", "fast drying",
    "insulated", "thermal insulation", "machine washable", "hand washable", "washable",
    # power and connection
    "rechargeable", "wireless", "cordless", "fast charging", "quick charge", "quick charging",
    "noise cancelling", "noise canceling", "noise cancellation", "energy efficient", "energy saving",
    "solar powered", "battery powered", "battery operated", "plug and play",
    # environment and making
    "organic", "eco friendly", "environment friendly", "environmentally friendly", "biodegradable",
    "compostable", "recyclable", "recycled", "reusable", "sustainable", "sustainably sourced", "vegan",
    "handmade", "hand made", "handcrafted", "hand crafted", "hand painted", "hand woven", "handwoven",
    "hand stitched", "hand embroidered", "handloom",
)
# Ways of stating one feature: the input stating any of them licenses the others. One-way where one
# is the stronger claim: a waterproof product is water resistant, not the other way round.
FEATURE_EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("anti slip", "non slip", "slip resistant", "anti skid", "non skid"),
    ("anti bacterial", "antibacterial", "antimicrobial", "anti microbial"),
    ("eco friendly", "environment friendly", "environmentally friendly"),
    ("odour resistant", "odor resistant", "anti odour", "anti odor", "odour free", "odor free"),
    ("colourfast", "colorfast", "fade resistant", "fade proof"),
    ("noise cancelling", "noise canceling", "noise cancellation"),
    ("quick dry", "quick drying", "fast drying"),
    ("moisture wicking", "sweat wicking"),
    ("uv protection", "uv protected", "uv resistant", "uv400", "uv blocking"),
    ("polarized", "polarised"),
    ("handmade", "hand made", "handcrafted", "hand crafted"),
    ("hand woven", "handwoven", "handloom"),
    ("sulphate free", "sulfate free"),
    ("fast charging", "quick charge", "quick charging"),
    ("energy efficient", "energy saving"),
    ("battery powered", "battery operated"),
    ("machine washable", "washable"),
)
FEATURE_IMPLIES: dict[str, tuple[str, ...]] = {
    "waterproof": ("water resistant", "water resistance", "water repellent", "splash proof", "splash resistant",
                   "sweat proof"),
    "water resistant": ("splash proof", "splash resistant", "sweat proof"),
    "shockproof": ("shock resistant", "impact resistant"),
    "dustproof": ("dust resistant",),
    "fireproof": ("fire resistant", "flame resistant", "heat resistant"),
    "rustproof": ("rust resistant", "corrosion resistant"),
    "scratch proof": ("scratch resistant",),
    "weatherproof": ("weather resistant", "windproof", "wind resistant"),
    "leakproof": ("spill proof",),
    "shatterproof": ("shatter resistant",),
    "wireless": ("cordless",),
}

# Words that say the product runs on power, each with the input words that make it fair to say (in
# any form: "charger" licenses "charging"). A router's input licenses no "any voltage source".
# "12V", "45W" and "2000 mAh" in the input count as volt, watt and mah.
_POWER = ("power", "powered", "watt", "wattage", "volt", "voltage", "adapter", "adaptor", "mains", "plug",
          "electric", "electrical", "battery", "charger", "solar", "usb", "motor")
_CHARGE = ("charge", "charger", "charging", "rechargeable", "battery", "mah", "usb")
CAPABILITY_WORDS: dict[str, tuple[str, ...]] = {
    "power": _POWER, "powered": _POWER,
    "battery": ("battery", "rechargeable", "mah", "cell"), "batteries": ("battery", "rechargeable", "mah", "cell"),
    "charge": _CHARGE, "charging": _CHARGE, "recharge": _CHARGE, "recharging": _CHARGE,
    "voltage": ("volt", "voltage"), "volts": ("volt", "voltage"),
    "wattage": ("watt", "wattage"), "watts": ("watt", "wattage"),
    "electricity": ("electric", "electrical", "electricity", "mains", "plug", "adapter", "volt", "watt"),
    "mains": ("electric", "electrical", "electricity", "mains", "plug", "adapter", "volt", "watt"),
}
# "keeps food warm", "stays cold", "keeps the cold out": fair to say when the input has one of these
# words (in any form). One list for warm and cold: a wool jacket "keeps the cold out".
THERMAL_WORDS: tuple[str, ...] = (
    "warm", "warmth", "hot", "heat", "cool", "cold", "chill", "chilled", "ice", "frozen", "freezer", "fridge",
    "refrigerator", "insulated", "insulation", "thermal", "thermo", "thermos", "vacuum", "flask", "casserole",
    "fleece", "wool", "winter", "wintry", "sherpa", "fur", "breathable", "wicking", "ventilated", "mesh")

# Conditions a product may claim to treat; the serious ones are a claim even without a verb
# ("ideal for asthma patients").
HEALTH_CONDITIONS: tuple[str, ...] = (
    "acne", "pimples?", "blackheads", "eczema", "psoriasis", "dandruff", "hair ?fall", "hair loss", "baldness",
    "dark spots", "pigmentation", "rash(?:es)?", "itch(?:ing|iness)?", "inflammation", "infections?",
    "pain", "aches?", "headaches?", "migraines?", "arthritis", "asthma", "diabetes", "cancer", "tumou?rs?",
    "insomnia", "depression", "anxiety", "stress", "colds", "flu", "cough", "fever", "allerg(?:y|ies)",
    "cholesterol", "blood pressure", "hypertension", "obesity", "weight loss", "acidity", "indigestion",
    "constipation", "bloating", "ulcers?", "wounds?", "scars?", "diseases?", "illness(?:es)?", "ailments?",
    "disorders?", "health (?:problems|issues|conditions)", "sore (?:muscles|throat)", "swelling",
    "germs", "bacteria", "viruse?s?", "lice",
)
SERIOUS_CONDITIONS: tuple[str, ...] = (
    "cancer", "arthritis", "asthma", "diabetes", "eczema", "psoriasis", "insomnia", "hypertension",
    "cholesterol", "migraines?", "tumou?rs?", "alzheimer'?s", "dementia", "diseases?", "ailments",
    "disorders", "blood pressure", "health (?:problems|issues|conditions)",
)
# Marks and standards a product may claim to meet; matched as written (upper case), so "ce" and "iso"
# inside other words are not marks.
CERTIFICATION_MARKS: tuple[str, ...] = (
    "FDA", "ISO", "CE", "BIS", "ISI", "RoHS", "FCC", "GMP", "USDA", "NSF", "FSC", "GOTS", "OEKO-TEX",
    "Oeko-Tex", "ECOCERT", "FSSAI", "AYUSH", "CPSC", "ASTM", "Energy Star", "ENERGY STAR",
)
# "Italian leather" says where it is from; the input naming the country licenses the adjective.
DEMONYMS: dict[str, str] = {
    "italian": "italy", "indian": "india", "chinese": "china", "japanese": "japan", "german": "germany",
    "french": "france", "swiss": "switzerland", "american": "america", "british": "britain",
    "english": "england", "turkish": "turkey", "egyptian": "egypt", "belgian": "belgium", "spanish": "spain",
    "korean": "korea", "thai": "thailand", "persian": "persia", "kashmiri": "kashmir", "mexican": "mexico",
    "peruvian": "peru", "scandinavian": "scandinavia", "australian": "australia", "canadian": "canada",
    "irish": "ireland", "scottish": "scotland", "danish": "denmark", "swedish": "sweden",
    "moroccan": "morocco", "vietnamese": "vietnam", "portuguese": "portugal", "brazilian": "brazil",
}

# Names the merchant's words also go by in copy, where WordNet does not relate them closely enough
# (a mug is a "drinking vessel", a cup "crockery"): the key in the input licenses the values.
NEAR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mug": ("cup",), "cup": ("mug",),
    "half sleeve": ("short sleeve", "short sleeved", "short-sleeved"),
    "half sleeves": ("short sleeves", "short sleeved", "short-sleeved"),
    "full sleeve": ("long sleeve", "long sleeved", "long-sleeved"),
    "full sleeves": ("long sleeves", "long sleeved", "long-sleeved"),
    "sleeveless": ("no sleeves",),
    "tee": ("t-shirt", "tshirt", "shirt"), "t shirt": ("tee", "shirt"), "tshirt": ("tee", "shirt"),
    "sofa": ("couch", "settee"), "couch": ("sofa",), "settee": ("sofa",),
    "trousers": ("pants",), "pants": ("trousers",), "pant": ("trousers", "pants"),
    "sneakers": ("shoes",), "trainers": ("shoes", "sneakers"),
    "earphones": ("earbuds", "headphones"), "earbuds": ("earphones",),
    "carpet": ("rug",), "rug": ("carpet",), "duvet": ("quilt", "comforter"), "quilt": ("duvet", "comforter"),
    "kurta": ("tunic",), "cushion cover": ("pillow cover", "pillowcase"), "pen drive": ("flash drive", "usb drive"),
}
