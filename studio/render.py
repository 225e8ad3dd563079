"""HTML for score badges and small panels (pure string building)."""
from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

from engine.scores import Score


def slug(text: str) -> str:
    """A file-name-safe version of a title, for downloads."""
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:60] or "product"


def _badge_class(score: Score) -> str:
    if score.value is None:
        return "mcs-na"
    if score.good is None:
        return "mcs-info"
    return "mcs-good" if score.good else "mcs-bad"


def score_badges(scores: list[Score]) -> str:
    if not scores:
        return ""
    badges = []
    for s in scores:
        tip = html.escape(s.explanation, quote=True)
        badges.append(
            f'<span class="mcs-badge {_badge_class(s)}" title="{tip}" data-metric="{s.name}">'
            f'<b>{html.escape(s.label)}</b> {html.escape(s.display)}</span>'
        )
    notes = "".join(
        f"<li><b>{html.escape(s.label)}</b>: {html.escape(s.explanation)}</li>"
        for s in scores
    )
    return (f'<div class="mcs-badges">{"".join(badges)}</div>{reference_note(scores)}{flagged_text(scores)}'
            f'<details class="mcs-explain"><summary>What these scores mean</summary><ul>{notes}</ul></details>')


def reference_note(scores: list[Score]) -> str:
    """Which text BLEU/METEOR/ROUGE were measured against (the merchant's draft or their reference), so a
    number is never read as a comparison with something nobody gave; empty when they are n/a."""
    compared = [s for s in scores if s.details and s.details.get("reference_from")]
    if not compared:
        return ""
    reference = " ".join(str(compared[0].details.get("reference", "")).split())
    shown = reference if len(reference) <= 90 else reference[:89].rstrip() + "…"
    labels = "/".join(html.escape(s.label) for s in compared)
    return (f'<div class="mcs-ref-note" data-reference-from="{html.escape(compared[0].details["reference_from"], quote=True)}">'
            f'{labels} compared with {html.escape(compared[0].details["reference_from"])}: '
            f'<q>{html.escape(shown)}</q></div>')


def flagged_text(scores: list[Score]) -> str:
    """The field's text with every span the claim check flagged marked in red (reason on hover),
    and the reasons listed; empty when nothing is flagged."""
    claims = next((s for s in scores if s.details and s.details.get("flagged")), None)
    if claims is None:
        return ""
    marked = "".join(
        f'<mark class="mcs-claim" title="{html.escape(reason, quote=True)}">{html.escape(piece)}</mark>'
        if reason else html.escape(piece)
        for piece, reason in claims.details.get("segments", []))
    reasons = "".join(f"<li>{html.escape(f['reason'])}</li>" for f in claims.details["flagged"])
    return (f'<div class="mcs-flagged" data-flagged="{len(claims.details["flagged"])}">'
            f'<div class="mcs-flagged-text">{marked}</div><ul>{reasons}</ul></div>')


def provenance_panel(kind: str, parts: list[dict] | None) -> str:
    """Where each part of a field comes from: the description's sentences with the input lines each states
    (on hover, and listed), the title's words with theirs; empty when nothing was recorded."""
    if not parts:
        return ""
    if kind == "title":
        words = "".join(
            f'<span class="mcs-prov-word" title="{html.escape("from: " + p["from"] if p["from"] else "not from your input", quote=True)}">'
            f'{html.escape(p["word"])}</span> ' for p in parts)
        return (f'<details class="mcs-provenance" data-kind="title"><summary>Where each word comes from</summary>'
                f'<div>{words}</div></details>')
    origin_label = {"model": "written by the model", "realised": "stated from your facts", "merchant": "your words"}
    rows = []
    for part in parts:
        facts = [f for f in part.get("facts", []) if not f.startswith("name: ")]
        named = any(f.startswith("name: ") for f in part.get("facts", []))
        sources = "; ".join(facts) or ("names the product" if named else "states none of your facts")
        tip = f"{origin_label.get(part.get('origin'), '')} — from: {sources}"
        rows.append(f'<li data-origin="{html.escape(part.get("origin", ""), quote=True)}">'
                    f'<span class="mcs-prov-sentence" title="{html.escape(tip, quote=True)}">{html.escape(part["text"])}</span>'
                    f' <small>← {html.escape(sources)}</small></li>')
    return (f'<details class="mcs-provenance" data-kind="{html.escape(kind, quote=True)}">'
            f'<summary>Where each sentence comes from</summary><ul>{"".join(rows)}</ul></details>')


def contributions_panel(contributions: dict[str, float] | None, photo_colours: list[str]) -> str:
    parts = []
    if photo_colours:
        parts.append("<b>Colours measured in the photos:</b> " + html.escape(", ".join(photo_colours))
                     + " <small>(a suggestion: add them as an attribute to let the copy use them)</small>")
    if contributions:
        bars = "".join(
            f'<div class="mcs-bar"><span>{html.escape(m)}</span>'
            f'<div style="width:{max(2, round(v * 100))}%"></div><em>{v:.0%}</em></div>'
            for m, v in contributions.items()
        )
        # Gate weights are where the fusion looks, not what the copy depends on: removing the photos
        # changed far fewer titles than an "image 47%" bar suggests. The Compare tab measures the effect.
        parts.append("<b>Gate weight per input</b> <small class='mcs-gate-note'>how much the fusion attends to "
                     "each input, not how much the copy changes without it: see Compare › "
                     "<i>What each input changes</i></small>" + bars)
    return "<br>".join(parts)


CSS = """
.mcs-badges {display:flex; flex-wrap:wrap; gap:6px; margin:2px 0 4px}
.mcs-badge {font-size:12px; padding:2px 8px; border-radius:999px; border:1px solid #d0d5dd; cursor:help; white-space:nowrap}
.mcs-good {background:#e7f6ec; border-color:#7cc79a; color:#135c2e}
.mcs-bad {background:#fdecea; border-color:#ec9a92; color:#8a1f11}
.mcs-info {background:#eef2f8; border-color:#a9b8d3; color:#1f3a66}
.mcs-na {background:#f4f4f5; color:#71717a}
.mcs-explain {font-size:12px; color:#52525b}
.mcs-ref-note {font-size:12px; color:#52525b; margin:0 0 4px}
.mcs-explain ul {margin:4px 0 0 16px}
.mcs-flag {color:#8a1f11}
.mcs-flagged {font-size:13px; border-left:3px solid #ec9a92; padding:2px 8px; margin:2px 0 4px; background:#fffafa}
.mcs-flagged-text {white-space:pre-wrap}
.mcs-flagged ul {margin:2px 0 0 16px; color:#8a1f11; font-size:12px}
mark.mcs-claim {background:#fbd5d0; color:#8a1f11; text-decoration:underline wavy #d9534f; padding:0 1px}
.mcs-bar {display:grid; grid-template-columns:60px 1fr 44px; align-items:center; gap:6px; font-size:12px}
.mcs-bar div {height:8px; background:#4f7cff; border-radius:4px}
#mcs-header h1 {margin-bottom:0}
/* Create tab (studio/create_tab.py, creatives_panel.py). The action bar (method, seed, Generate) stays at the
   top of the window while the long form scrolls under it, so starting never needs a search. Ad images and
   the video that no longer match the copy on screen are dimmed, with a note saying which title they show. */
#mcs-actionbar {position:sticky; top:0; z-index:1000; background:var(--background-fill-primary);
  border:1px solid var(--border-color-primary); border-radius:var(--radius-lg); padding:8px 12px;
  box-shadow:0 2px 8px rgba(15, 23, 42, 0.08); align-items:end}
#mcs-actionbar button {min-height:44px}
.gradio-container:has(#mcs-actionbar) {overflow:clip !important} /* hidden would stop sticky; clip clips alike */
#mcs-generate {font-size:var(--text-lg); font-weight:600}
#mcs-cell-typing {display:none}
.mcs-stale img, .mcs-stale video {opacity:0.45; filter:grayscale(0.7)}
/* The photos' thumbnails start below the gallery's floating label, which otherwise covers their top. */
#mcs-photos .grid-wrap {padding-top:34px}
#mcs-media-stale {border-left:3px solid #e0a100; background:#fff8e1; padding:4px 10px; border-radius:4px}
/* -- Tables and sliders that fit their box (issue 14.13; studio/batch_tab.py, history_tab.py, train_tab.py).
   The column shares come from each table's column_widths; here a long unbroken value (an id, a
   file name, an error) wraps inside its cell instead of widening the column and pushing the last
   column (Batch's status, History's id) past the right edge, and a long slider label wraps. */
.mcs-fit-table th, .mcs-fit-table td {overflow-wrap:anywhere}
#mcs-train-sliders [data-testid="block-info"] {white-space:normal}
"""


def servable(paths: list[str]) -> list[str]:
    """Gradio only serves files from its temp folder or the working directory: copy the others."""
    import shutil

    allowed = (Path(tempfile.gettempdir()).resolve(), Path.cwd().resolve())
    out, folder = [], None
    for path in paths:
        if Path(path).resolve().is_relative_to(allowed[0]) or Path(path).resolve().is_relative_to(allowed[1]):
            out.append(path)
            continue
        folder = folder or Path(tempfile.mkdtemp(prefix="mcs-restore-"))
        out.append(str(shutil.copy(path, folder / Path(path).name)))
    return out
