"""Write a result's images and videos to a folder, named by size, with settings embedded."""
from __future__ import annotations

from pathlib import Path

from engine.errors import StudioError
from engine.metadata import save_png, tag_mp4

VIDEO_ASPECTS = ("9x16", "1x1")


def save_creatives(creatives, out_dir: Path, settings) -> list[dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for creative in creatives:
        width, height = creative.image.size
        path = save_png(creative.image, out_dir / f"image-{creative.size}-{width}x{height}.png",
                        {**settings.model_dump(), "size": creative.size})
        saved.append({"path": str(path), "size": creative.size, "pixels": [width, height],
                      "scores": [s.to_dict() for s in creative.scores]})
    return saved


def save_video(video, settings) -> dict:
    tag_mp4(video.path, {**settings.model_dump(), "aspect": video.aspect})
    return {"path": str(video.path), "aspect": video.aspect, "pixels": list(video.size),
            "duration": round(video.duration, 2), "has_audio": video.has_audio,
            "scores": [s.to_dict() for s in video.scores]}


def write_media(studio, ingested, result, out_dir: Path, videos: tuple[str, ...] = VIDEO_ASPECTS,
                progress=None) -> dict:
    """Images for every size and one video per aspect; problems are reported, not raised."""
    media: dict = {"images": [], "videos": [], "problems": []}
    creatives = []
    try:
        creatives = studio.images(ingested, result.copy, result.settings)
        media["images"] = save_creatives(creatives, out_dir, result.settings)
    except StudioError as exc:
        media["problems"].append(f"images: {exc}")
    for aspect in videos:
        try:
            video = studio.video(ingested, result.copy, result.settings, out_dir / f"video-{aspect}.mp4",
                                 aspect=aspect, creatives=creatives, progress=progress)
            media["videos"].append(save_video(video, result.settings))
        except StudioError as exc:
            media["problems"].append(f"video {aspect}: {exc}")
    return media
