"""Ad images and the product video, each made (and remade) on its own from the current copy."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import gradio as gr

from engine.core.errors import StudioError
from engine.creatives.steps import StepError
from engine.creatives.backgrounds import NAMED_PALETTES, list_backgrounds
from engine.creatives.cutout import describe_cutout
from engine.copywriting.copy import Copy
from engine.creatives.layouts import list_layouts
from engine.storage.media import save_creatives, save_video
from engine.pipeline import Studio
from studio.render import slug, score_badges

log = logging.getLogger(__name__)


# The ad-image widgets, by the ``Settings`` field each sets, in the order the panel shows them ("photo_index"
# is shown from 1: "Photo #").
CREATIVE_KNOBS = ("style", "layout", "palette", "price", "call_to_action", "photo_index", "seed")


@dataclass
class CreativesPanel:
    studio: Studio
    knobs: dict  # CREATIVE_KNOBS name -> widget
    make_images: gr.Button
    gallery: gr.Gallery
    image_scores: gr.HTML
    aspect: gr.Radio
    narration: gr.Checkbox
    make_video: gr.Button
    video: gr.Video
    video_scores: gr.HTML
    status: gr.Markdown
    stale_note: gr.Markdown

    def wire(self, result_state, copy_fields) -> None:
        # The title each creative was made from ({"images": ..., "video": ...}): a new generation (or an
        # edit) changes the title on screen, and images showing another title must say so.
        made_for = gr.State({})
        copy_inputs = [result_state, *copy_fields, made_for]
        knobs = list(self.knobs.values())
        staleness = dict(fn=mark_stale, inputs=[copy_fields[0], made_for],
                         outputs=[self.gallery, self.video, self.stale_note], show_progress="hidden", api_name=False)
        self.make_images.click(partial(images_clicked, self), copy_inputs + knobs,
                               [self.gallery, self.image_scores, self.status, made_for],
                               concurrency_id="model", api_name=False).then(**staleness)
        self.make_video.click(partial(video_clicked, self), copy_inputs + [self.aspect, self.narration] + knobs,
                              [self.video, self.video_scores, self.status, made_for],
                              concurrency_id="model", api_name=False).then(**staleness)
        # Any new title on screen: a generation, a restore, a picked candidate or the merchant's edit.
        copy_fields[0].change(trigger_mode="always_last", **staleness)


def creative_settings(result, knobs: dict, narration: bool = False):
    """The result's settings with the ad-image widgets' values (``CREATIVE_KNOBS`` names) put in."""
    if result is None:
        raise StudioError("generate the copy first: the images and video use its title and bullets")
    return result.settings.replace(style=knobs["style"], layout=knobs["layout"], palette=knobs["palette"] or "auto",
                                   price=knobs["price"] or "", call_to_action=knobs["call_to_action"] or "",
                                   photo_index=max(0, int(knobs["photo_index"] or 1) - 1),
                                   seed=int(knobs["seed"] or 0), narration=bool(narration))


# -- handlers: CreativesPanel.wire connects them ------------------------------------------------------------
def images_clicked(panel: CreativesPanel, result, title, description, bullets, made, *knobs):
    """Make ad images: (gallery, their scores, status, the titles the creatives were made for)."""
    try:
        settings = creative_settings(result, dict(zip(CREATIVE_KNOBS, knobs)))
    except (StudioError, ValueError) as exc:
        return gr.update(), gr.update(), f"⚠️ {exc}", made
    saved, creatives, problem = make_images(panel.studio, result.product, _copy(title, description, bullets), settings)
    if not saved:  # nothing to show: the gallery keeps what it had
        return gr.update(), gr.update(), f"⚠️ {problem}", made
    gallery = [(item["path"], f"{item['size']} · {item['pixels'][0]}×{item['pixels'][1]}") for item in saved]
    panels = "".join(f"<div class='mcs-creative'><b>{c.size}</b>{score_badges(c.scores)}</div>" for c in creatives)
    done = f"{len(saved)} images · backdrop **{settings.style}** · layout **{settings.layout}**"
    cutout = getattr(creatives[0].context, "cutout", None) if creatives else None
    if cutout is not None:  # which mask was used, so a lost or recovered part is never a surprise
        done += f" · {describe_cutout(cutout)}"
    shown = gr.update(value=gallery, label=f"{IMAGES_LABEL} · made for “{title}”")
    return (shown, panels, f"⚠️ {done}; the rest failed: {problem}" if problem else f"✅ {done}",
            {**made, "images": title})


def video_clicked(panel: CreativesPanel, result, title, description, bullets, made, aspect, narration, *knobs,
                  progress=gr.Progress()):
    """Make the video: (video, its scores, status, the titles the creatives were made for)."""
    try:
        settings = creative_settings(result, dict(zip(CREATIVE_KNOBS, knobs)), narration=narration)
        copy = _copy(title, description, bullets)
        out = Path(tempfile.mkdtemp(prefix="mcs-video-")) / f"{slug(title)}-{aspect}.mp4"
        made_video = panel.studio.video(result.product, copy, settings, out, aspect=aspect,
                                        progress=lambda fraction, message: progress(fraction, desc=message))
        save_video(made_video, settings)
    except (StudioError, ValueError) as exc:
        return gr.update(), gr.update(), f"⚠️ {exc}", made
    except Exception as exc:  # last resort: the copy and images on screen stay, the server runs on
        log.exception("video failed")
        return (gr.update(), gr.update(),
                f"⚠️ video {aspect} failed unexpectedly ({type(exc).__name__}: {exc})", made)
    shown = gr.update(value=str(made_video.path), label=f"{VIDEO_LABEL} · made for “{title}”")
    return (shown, score_badges(made_video.scores),
            f"✅ {made_video.duration:.1f} s video, {made_video.size[0]}×{made_video.size[1]}",
            {**made, "video": title})


def mark_stale(title, made):
    """The gallery and video marked when they were made for another title than the one on screen."""
    stale = stale_kinds(made, title)
    note = stale_text(made, stale)
    return (gr.update(elem_classes=["mcs-stale"] if "images" in stale else []),
            gr.update(elem_classes=["mcs-stale"] if "video" in stale else []),
            gr.update(value=note, visible=bool(note)))


IMAGES_LABEL, VIDEO_LABEL = "Ad images", "Product video"
AGAIN = {"images": "generate images again for the new copy", "video": "make the video again for the new copy"}
NAMES = {"images": "ad images", "video": "video"}


def stale_kinds(made: dict, title: str) -> list[str]:
    """The creatives on screen that were made from another title than the one shown now."""
    return [kind for kind in ("images", "video") if kind in (made or {}) and made[kind] != (title or "")]


def stale_text(made: dict, stale: list[str]) -> str:
    """'⚠️ The ad images below were made for the title “…” — generate images again for the new copy.'"""
    return "  \n".join(f"⚠️ The {NAMES[kind]} below {'were' if kind == 'images' else 'was'} made for the title "
                       f"“{made[kind]}” — {AGAIN[kind]}." for kind in stale)


def _copy(title, description, bullets) -> Copy:
    return Copy(title=title, description=description, bullets=[b for b in (bullets or "").splitlines() if b.strip()])


def make_images(studio: Studio, product, copy: Copy, settings) -> tuple[list[dict], list, str]:
    """(saved images, their creatives, what failed): the images made before a failure are kept
    and shown, with the failure named beside them (an empty string when all went well)."""
    try:
        creatives, problem = studio.images(product, copy, settings), ""
    except StepError as exc:  # the sizes rendered before the failing step are in exc.made
        creatives, problem = exc.made, str(exc)
    except (StudioError, ValueError) as exc:
        return [], [], str(exc)
    except Exception as exc:  # last resort: the server keeps running, the user reads what broke
        log.exception("images failed")
        return [], [], f"ad images failed unexpectedly ({type(exc).__name__}: {exc})"
    try:
        saved = save_creatives(creatives, Path(tempfile.mkdtemp(prefix="mcs-images-")), settings)
    except StepError as exc:
        saved, problem = exc.made, str(exc)
    return saved, creatives[: len(saved)], problem


def build_creatives_panel(studio: Studio) -> CreativesPanel:
    gr.Markdown("### 4 · Ad images and video")
    status = gr.Markdown("Made from your photo and the copy above (edits included).", elem_id="mcs-media-status")
    with gr.Row():
        style = gr.Dropdown(list_backgrounds(), value="studio", label="Backdrop")
        layout = gr.Dropdown(list_layouts(), value="classic", label="Layout")
        palette = gr.Dropdown(["auto", *NAMED_PALETTES], value="auto", allow_custom_value=True, label="Palette",
                              info="auto = from the product's colours; or #hex,#hex,#hex")
    with gr.Row():
        price = gr.Textbox(label="Price on image", placeholder="$45")
        cta = gr.Textbox(label="Call to action", placeholder="Shop now")
        photo = gr.Number(value=1, precision=0, minimum=1, label="Photo #")
        seed = gr.Number(value=0, precision=0, minimum=0, label="Image seed")
    make_images = gr.Button("Make ad images (5 sizes)", elem_id="mcs-make-images")
    stale = gr.Markdown(visible=False, elem_id="mcs-media-stale")
    gallery = gr.Gallery(label=IMAGES_LABEL, columns=3, height=360, elem_id="mcs-images", object_fit="contain")
    image_scores = gr.HTML(elem_id="mcs-image-scores")
    with gr.Row():
        aspect = gr.Radio([("9:16 (stories, reels)", "9x16"), ("1:1 (feeds)", "1x1")], value="9x16", label="Video format")
        narration = gr.Checkbox(label="Spoken narration of the description", value=False)
    make_video = gr.Button("Make video", elem_id="mcs-make-video")
    video = gr.Video(label=VIDEO_LABEL, elem_id="mcs-video", height=420)
    video_scores = gr.HTML(elem_id="mcs-video-scores")
    return CreativesPanel(studio, dict(zip(CREATIVE_KNOBS, (style, layout, palette, price, cta, photo, seed))),
                          make_images, gallery,
                          image_scores, aspect, narration, make_video, video, video_scores, status, stale)

