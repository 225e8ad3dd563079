"""Settings travel inside the images and videos the studio makes, so dropping a file back on
the studio restores how it was made.

PNG: a tEXt chunk named ``mcs:settings`` holding JSON. MP4: the container's ``comment`` tag
(ffmpeg's mov muxer writes it as the iTunes ``©cmt`` atom, which players and ffprobe show)
holding the same JSON wrapped as ``{"merchant_content_studio": {"settings": ...}}`` so an
unrelated comment is never mistaken for settings.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

PNG_KEY = "mcs:settings"
MP4_KEY = "comment"
_WRAP = "merchant_content_studio"


def _as_dict(settings) -> dict:
    return settings.model_dump() if hasattr(settings, "model_dump") else dict(settings)


def embed_png(image: Image.Image | None, settings) -> PngInfo:
    """PngInfo to pass as ``image.save(path, pnginfo=...)``; keeps text chunks the image already has."""
    info = PngInfo()
    for key, value in (getattr(image, "text", None) or {}).items():
        if key != PNG_KEY:
            info.add_text(key, value)
    info.add_text(PNG_KEY, json.dumps(_as_dict(settings), sort_keys=True))
    return info


def save_png(image: Image.Image, path: Path | str, settings) -> Path:
    path = Path(path)
    image.save(path, format="PNG", pnginfo=embed_png(image, settings))
    return path


def mp4_metadata(settings) -> dict[str, str]:
    """Tags to set on ``container.metadata`` when writing an MP4 with PyAV."""
    return {MP4_KEY: json.dumps({_WRAP: {"settings": _as_dict(settings)}}, sort_keys=True)}


def tag_mp4(path: Path | str, settings) -> Path:
    """Add the settings tag to an existing MP4/MOV by remuxing its streams (no re-encode)."""
    import av

    path = Path(path)
    partial = path.with_name(path.stem + ".tagging" + path.suffix)
    with av.open(str(path)) as source, av.open(str(partial), "w", format="mp4",
                                               options={"movflags": "+faststart"}) as target:
        target.metadata.update({k: v for k, v in source.metadata.items() if k != MP4_KEY})
        target.metadata.update(mp4_metadata(settings))
        streams = {}
        for stream in source.streams:
            if stream.type in ("video", "audio"):
                streams[stream.index] = target.add_stream_from_template(stream)
        for packet in source.demux(*[s for s in source.streams if s.index in streams]):
            if packet.dts is None:  # the demuxer's end-of-stream flush packet
                continue
            packet.stream = streams[packet.stream.index]
            target.mux(packet)
    os.replace(partial, path)  # readers never see a half-written file
    return path


def _settings_from_json(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and _WRAP in data:
        data = data[_WRAP].get("settings")
    return data if isinstance(data, dict) else None


def read_settings(path: Path | str) -> dict | None:
    """The settings a studio-made PNG or MP4 carries, or None for any other file."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".png":
            with Image.open(path) as image:
                return _settings_from_json(getattr(image, "text", {}).get(PNG_KEY))
    except OSError:  # not a readable PNG: nothing to restore
        return None
    if suffix in (".mp4", ".mov", ".m4v"):
        import av

        try:
            with av.open(str(path)) as container:
                return _settings_from_json(container.metadata.get(MP4_KEY))
        except (OSError, av.FFmpegError):
            return None
    return None
