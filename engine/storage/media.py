"""Write a result's images and videos to a folder, named by size, with settings embedded."""
from __future__ import annotations

from pathlib import Path

from engine.creatives.steps import StepError, step
from engine.core.errors import StudioError
from engine.storage.metadata import save_png, tag_mp4

VIDEO_ASPECTS = ("9x16", "1x1")


def save_creatives(creatives, out_dir: Path, settings) -> list[dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for creative in creatives:
        width, height = creative.image.size
        name = f"image-{creative.size}-{width}x{height}.png"
        with step(f"ad image {creative.size}: saving {name}", made=saved):
            path = save_png(creative.image, out_dir / name, {**settings.model_dump(), "size": creative.size})
        saved.append({"path": str(path), "size": creative.size, "pixels": [width, height],
                      "scores": [s.to_dict() for s in creative.scores]})
    return saved


def save_video(video, settings) -> dict:
    with step(f"video {video.aspect}: tagging {Path(video.path).name}"):
        tag_mp4(video.path, {**settings.model_dump(), "aspect": video.aspect})
    return {"path": str(video.path), "aspect": video.aspect, "pixels": list(video.size),
            "duration": round(video.duration, 2), "has_audio": video.has_audio,
            "scores": [s.to_dict() for s in video.scores]}


def _problem(label: str, exc: StudioError) -> str:
    # A StepError already names the image or video and the step; others get the label.
    return str(exc) if isinstance(exc, StepError) else f"{label}: {exc}"


def write_media(studio, ingested, result, out_dir: Path, videos: tuple[str, ...] = VIDEO_ASPECTS,
                progress=None) -> dict:
    """Images for every size and one video per aspect; problems are reported, not raised.

    One failed part never costs the others: the images rendered before a failure are saved,
    and each video is tried on its own."""
    media: dict = {"images": [], "videos": [], "problems": []}
    creatives = []
    try:
        creatives = studio.images(ingested, result.copy, result.settings)
    except StudioError as exc:
        media["problems"].append(_problem("images", exc))
        creatives = exc.made if isinstance(exc, StepError) else []
    for creative in creatives:  # one by one: a file that cannot be written costs only itself
        try:
            media["images"] += save_creatives([creative], out_dir, result.settings)
        except StudioError as exc:
            media["problems"].append(_problem(f"image {creative.size}", exc))
    for aspect in videos:
        try:
            video = studio.video(ingested, result.copy, result.settings, out_dir / f"video-{aspect}.mp4",
                                 aspect=aspect, creatives=creatives, progress=progress)
            media["videos"].append(save_video(video, result.settings))
        except StudioError as exc:
            media["problems"].append(_problem(f"video {aspect}", exc))
    return media
