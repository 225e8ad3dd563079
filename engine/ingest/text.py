"""Text cleaning: merchants paste HTML from old shops, spec sheets and notes with stray spacing."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Tags that end a line of text in a browser; everything else is inline and dissolves into spaces.
_BLOCK_TAGS = {
    "br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "dt", "dd", "blockquote", "pre", "hr",
}
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template"}
# A "<" that cannot open a complete tag before the next "<": text, not markup. Escaping these first
# keeps html.parser linear; on Python < 3.13.4 it rescans to the end for every unclosed "<a " or
# "<!--" (measured: 156 s for 100 kB of "<a <a ..."). Each lookahead stops at the next "<".
_LONE_ANGLE = re.compile(r"<(?!/?[A-Za-z][^<>]*>|!--[^<]*?-->|![A-Za-z][^<>]*>|\?[^<>]*>)")
# Control and zero-width characters that render as nothing but break matching and counting.
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200d\u2060\ufeff]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities (&amp; &#39; &nbsp;) become characters
        self.parts: list[str] = []
        self.tags = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags += 1
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_startendtag(self, tag, attrs):
        self.tags += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.tags += 1
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def strip_html(text: str) -> tuple[str, bool]:
    """Visible text of an HTML fragment (plain text passes through); True if tags were found."""
    parser = _TextExtractor()
    parser.feed(_LONE_ANGLE.sub("&lt;", text))
    parser.close()
    return "".join(parser.parts), parser.tags > 0


def normalise_whitespace(text: str, single_line: bool = False) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    if single_line:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def cap_at_word(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters, cut at the last word boundary when one is near."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    if not text[max_chars].isspace():
        boundary = max(cut.rfind(" "), cut.rfind("\n"))
        if boundary >= max_chars * 0.7:  # one giant "word" (a URL, a SKU list): cut hard instead
            cut = cut[:boundary]
    return cut.rstrip(" \n,;:-")


def clean_text(text: str | None, max_chars: int, field: str,
               single_line: bool = False) -> tuple[str, list[str]]:
    """Strip model control tokens and instruction-like text (``engine.ingest.guard``) and HTML, unescape
    entities, normalise whitespace and cap the length.

    Returns the clean text and warnings for the user (tags removed, instructions left out, text cut). Line breaks are
    kept (attribute lines and paragraphs need them) unless ``single_line``.
    """
    from engine.ingest.guard import guard_text, strip_control_tokens

    warnings: list[str] = []
    raw = "" if text is None else str(text)
    # Control tokens first, while the lines are as given (what follows a turn marker on its line goes
    # too), and again after the HTML is gone: "&lt;|im_start|&gt;" only becomes one when unescaped.
    raw, tokens, addressed = strip_control_tokens(raw)
    plain, had_tags = strip_html(raw)
    if had_tags:
        warnings.append(f"{field}: HTML tags removed")
    clean = normalise_whitespace(plain, single_line=single_line)
    clean, guarded = guard_text(clean, field, tokens, addressed)
    warnings += guarded
    if guarded:
        clean = normalise_whitespace(clean, single_line=single_line)
    if len(clean) > max_chars:
        warnings.append(f"{field} cut to {max_chars} characters (it had {len(clean)})")
        clean = cap_at_word(clean, max_chars)
    return clean, warnings


# "Material: cotton", "- Country of Origin: India", "Fit - Slim" is too ambiguous to take.
# The key is a short label (at most four words), so a sentence with a colon stays prose.
_ATTRIBUTE_LINE = re.compile(
    r"^\s*(?:[-*\u2022\u00b7]\s*)?"
    r"(?P<key>[^\W\d_][\w'&/().%-]*(?:[ \t]+[\w'&/().%-]+){0,3})"
    r"\s*[:\uff1a]\s*(?P<value>\S.*?)\s*$"
)


MAX_VALUE_CHARS = 120  # longer than this after a colon is a sentence, not a spec value


def attribute_key(label: str) -> str:
    """``Country of Origin`` -> ``country_of_origin``, the catalog's key style."""
    return re.sub(r"[^\w]+", "_", label.strip().lower()).strip("_")


def _attribute_match(line: str):
    """The ``key``/``value`` match of a ``Key: value`` line, or None (a time, a URL, a long sentence)."""
    match = _ATTRIBUTE_LINE.match(line)
    if not match:
        return None
    value = match["value"]
    is_time = match["key"][-1].isdigit() and value[:1].isdigit()
    if is_time or value.startswith("//") or len(value) > MAX_VALUE_CHARS:
        return None
    if re.search(r"\.(?:com|in|net|org|co)\b", match["key"], re.I) or re.match(r"buy\b", value, re.I):
        return None  # "Flipkart.com: Buy ... online only for Rs.": the shop's line, not the product's spec
    return match


def is_attribute_line(line: str) -> bool:
    """``Material: Cotton`` is a spec line: a short label and its value, the shape ``parse_attribute_lines``
    takes out of the notes (a time such as ``10:30`` or a URL is not)."""
    return _attribute_match(line) is not None


def parse_attribute_lines(text: str) -> tuple[dict[str, str], str]:
    """Take ``Key: value`` lines out of free text; returns (attributes, remaining text).

    The first occurrence of a key wins. Lines that look like URLs or times (``https://``,
    ``10:30``) stay in the text.
    """
    attributes: dict[str, str] = {}
    remaining: list[str] = []
    for line in text.splitlines():
        match = _attribute_match(line)
        if match is None:
            remaining.append(line)
            continue
        key = attribute_key(match["key"])
        if key and key not in attributes:
            attributes[key] = match["value"]
    return attributes, normalise_whitespace("\n".join(remaining))
