"""Video scores, measured on the encoded file (decoded back with PyAV), not on the plan.

Every metric is ``fn(path_to_mp4, VideoContext) -> Score``; ``score_video`` runs them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from skimage.metrics import structural_similarity

from engine.scores.registry import Score, metrics_for, register_metric

MIN_SECONDS, MAX_SECONDS = 6.0, 20.0
# Subtitle guidelines (Netflix, BBC) put comfortable reading at ~15-17 characters per second.
MAX_CHARS_PER_SECOND = 17.0
MIN_SECONDS_PER_WORD = 0.3
SMOOTH_MIN_SSIM = 0.6  # a hard cut between two unrelated photos scores ~0.2-0.4


@dataclass(frozen=True)
class VideoContext:
    captions: list[tuple[float, float, str]] = field(default_factory=list)
    narration_requested: bool = False
    min_seconds: float = MIN_SECONDS
    max_seconds: float = MAX_SECONDS


def probe(path: Path) -> dict:
    """What a player sees: codec, size, pixel format, duration, frame count, audio streams."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        info = {
            "codec": v.codec_context.name,
            "width": v.codec_context.width,
            "height": v.codec_context.height,
            "pix_fmt": v.codec_context.pix_fmt,
            "fps": float(v.average_rate) if v.average_rate else None,
            "duration": float(c.duration / av.time_base) if c.duration else None,
            "frames": v.frames,
            "audio": [a.codec_context.name for a in c.streams.audio],
        }
    return info


def gray_frames(path: Path, width: int = 96) -> list[np.ndarray]:
    """Every frame, downscaled and gray: SSIM between neighbours needs no more detail."""
    frames = []
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        v.thread_type = "AUTO"
        height = max(2, round(width * v.codec_context.height / v.codec_context.width))
        for frame in c.decode(v):
            frames.append(frame.reformat(width=width, height=height, format="gray").to_ndarray())
    return frames


def audio_seconds(path: Path) -> float:
    """Seconds of decoded audio (0 when there is no audio stream)."""
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return 0.0
        a = c.streams.audio[0]
        samples = sum(f.samples for f in c.decode(a))
        return samples / a.codec_context.sample_rate


@register_metric("video_smoothness", "Smoothness", ("video",),
                 "Mean and worst SSIM between consecutive frames decoded from the file; jumps and glitches pull it down.")
def smoothness(path, ctx: VideoContext) -> Score:
    frames = gray_frames(Path(path))
    if len(frames) < 2:
        return Score("video_smoothness", "Smoothness", None, "n/a", "Fewer than two frames.", None)
    ssim = np.array([structural_similarity(a, b, data_range=255) for a, b in zip(frames, frames[1:])])
    worst = int(ssim.argmin())
    return Score(
        "video_smoothness", "Smoothness", float(ssim.mean()), f"{ssim.mean():.2f} (min {ssim.min():.2f})",
        "Mean SSIM between consecutive frames; the worst pair shows the roughest transition.",
        bool(ssim.min() >= SMOOTH_MIN_SSIM),
        {"mean": float(ssim.mean()), "min": float(ssim.min()), "worst_frame": worst + 1, "pairs": len(ssim)},
    )


@register_metric("video_duration", "Duration", ("video",),
                 "Short-form video ads work best between 6 and 20 seconds.")
def duration(path, ctx: VideoContext) -> Score:
    seconds = probe(Path(path))["duration"] or 0.0
    ok = ctx.min_seconds - 0.05 <= seconds <= ctx.max_seconds + 0.05
    return Score("video_duration", "Duration", seconds, f"{seconds:.1f} s",
                 f"Target {ctx.min_seconds:.0f}-{ctx.max_seconds:.0f} s.", ok)


@register_metric("caption_reading_time", "Caption reading time", ("video",),
                 "Each caption stays long enough to read: at most ~17 characters/s and at least 0.3 s per word.")
def reading_time(path, ctx: VideoContext) -> Score:
    if not ctx.captions:
        return Score("caption_reading_time", "Caption reading time", None, "n/a", "No captions.", None)
    rows = []
    for start, end, text in ctx.captions:
        shown = max(end - start, 1e-6)
        rows.append((len(text) / shown, shown / max(len(text.split()), 1), text))
    cps, spw, text = max(rows, key=lambda r: r[0])
    ok = all(r[0] <= MAX_CHARS_PER_SECOND or r[1] >= MIN_SECONDS_PER_WORD for r in rows)
    return Score("caption_reading_time", "Caption reading time", cps, f"{cps:.1f} chars/s",
                 f"Fastest caption: {text[:40]!r} at {cps:.1f} chars/s, {spw:.2f} s/word.", ok,
                 {"worst_caption": text, "chars_per_second": cps, "seconds_per_word": spw})


@register_metric("video_audio", "Narration audio", ("video",),
                 "When narration was asked for, the file carries an audio track that decodes.")
def audio(path, ctx: VideoContext) -> Score:
    seconds = audio_seconds(Path(path))
    if not ctx.narration_requested:
        return Score("video_audio", "Narration audio", seconds, "n/a" if not seconds else f"{seconds:.1f} s",
                     "No narration asked for.", None)
    return Score("video_audio", "Narration audio", seconds, f"{seconds:.1f} s" if seconds else "missing",
                 "Seconds of narration decoded from the file.", seconds > 0.5)


def score_video(path: Path, ctx: VideoContext) -> list[Score]:
    return [m.fn(path, ctx) for m in metrics_for("video")]
