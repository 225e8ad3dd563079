"""Clips in: MP4, MOV or WebM, recognised by content, reduced to a few sharp, distinct keyframes.

The clip is demuxed once without decoding (cheap) to learn its true length and where its
keyframes lie; then only the frames near ~2 candidate times per second are decoded, seeking
whenever a keyframe lies between the current position and the next candidate.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image
from scipy import ndimage

from engine.core.errors import IngestError
from engine.ingest.values import IngestLimits, Keyframe
from engine.core.product import URL_ADVICE, is_url

EXTENSIONS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".webm": "webm"}
# ffmpeg demuxer names that hold these containers (the mov demuxer reads mp4 and mov alike).
DEMUXERS = {"mov", "mp4", "matroska", "webm"}
CANDIDATES_PER_SECOND = 2.0
MAX_CANDIDATES = 24      # a 60 s clip is sampled every 2.5 s: enough to find 5 good frames
ANALYSIS_SIDE = 320      # sharpness and similarity are measured at one size for every clip
BLUR_RATIO = 0.35        # frames this far below the clip's median sharpness are motion blur
DUPLICATE_HIST = 0.05    # colour-histogram distance under which two frames look the same...
DUPLICATE_THUMB = 0.025  # ...when their 32x32 grey thumbnails also differ this little


def accepted_videos(limits: IngestLimits) -> str:
    return (f"MP4, MOV or WebM with a video track, up to {limits.max_video_seconds:g} s "
            f"and {limits.max_video_bytes / 2**20:g} MB")


@dataclass
class _Candidate:
    image: Image.Image
    timestamp: float
    sharpness: float
    histogram: np.ndarray
    thumbnail: np.ndarray


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian: high for crisp edges, low for blur or flat frames."""
    return float(ndimage.laplace(gray.astype(np.float32)).var())


def _describe(image: Image.Image, timestamp: float) -> _Candidate:
    small = image.copy()
    small.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.Resampling.BILINEAR)
    rgb = np.asarray(small)
    bins = (rgb // 32).reshape(-1, 3).astype(np.int32)  # 8 levels per channel: 512 colour bins
    histogram = np.bincount(bins[:, 0] * 64 + bins[:, 1] * 8 + bins[:, 2], minlength=512)
    thumbnail = np.asarray(small.convert("L").resize((32, 32), Image.Resampling.BILINEAR), np.float32)
    return _Candidate(image=image, timestamp=timestamp, sharpness=sharpness(np.asarray(small.convert("L"))),
                      histogram=histogram / histogram.sum(), thumbnail=thumbnail / 255.0)


def _distance(a: _Candidate, b: _Candidate) -> tuple[float, float]:
    """(total-variation distance of the colour histograms, mean grey difference), both in [0, 1]."""
    return 0.5 * float(np.abs(a.histogram - b.histogram).sum()), float(np.abs(a.thumbnail - b.thumbnail).mean())


def _choose(candidates: list[_Candidate], count: int, duration: float) -> list[_Candidate]:
    """Greedy pick: sharpest first, then the frame most unlike (in looks and time) those chosen."""
    if not candidates:
        return []
    scores = np.array([c.sharpness for c in candidates])
    pool = [c for c, s in zip(candidates, scores) if s >= BLUR_RATIO * np.median(scores) and s > 1e-6]
    pool = pool or [candidates[int(scores.argmax())]]
    top = max(c.sharpness for c in pool)
    chosen = [max(pool, key=lambda c: c.sharpness)]
    span = max(duration, 1e-3)
    while len(chosen) < count:
        best, best_score = None, -1.0
        for candidate in pool:
            if candidate in chosen:
                continue
            distances = [_distance(candidate, other) for other in chosen]
            if any(h < DUPLICATE_HIST and t < DUPLICATE_THUMB for h, t in distances):
                continue  # a near-duplicate of a frame we already have
            novelty = min(h + t for h, t in distances)
            spread = min(abs(candidate.timestamp - other.timestamp) for other in chosen) / span
            score = novelty + spread + 0.5 * candidate.sharpness / top
            if score > best_score:
                best, best_score = candidate, score
        if best is None:
            break
        chosen.append(best)
    return sorted(chosen, key=lambda c: c.timestamp)


def _open(path: Path, limits: IngestLimits):
    name, accepted = path.name, accepted_videos(limits)
    if not path.is_file():
        raise IngestError(name, "file not found", accepted)
    if path.suffix.lower() not in EXTENSIONS:
        raise IngestError(name, f"'{path.suffix or '(no extension)'}' is not a video type we read", accepted)
    size = path.stat().st_size
    if size == 0:
        raise IngestError(name, "file is empty (0 bytes)", accepted)
    if size > limits.max_video_bytes:
        raise IngestError(name, f"file is {size / 2**20:.1f} MB, over the "
                                f"{limits.max_video_bytes / 2**20:g} MB limit", accepted)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise IngestError(name, f"not a readable video ({exc})", accepted) from exc
    demuxers = set(container.format.name.split(","))
    if not demuxers & DEMUXERS:
        container.close()
        raise IngestError(name, f"the content is a {container.format.long_name or container.format.name} "
                                f"file, not MP4, MOV or WebM", accepted)
    if not container.streams.video:
        container.close()
        raise IngestError(name, "has no video track (sound only?)", accepted)
    return container


def _too_long(name: str, seconds: float, limits: IngestLimits) -> IngestError:
    return IngestError(name, f"video is {seconds:.1f} s long, over the {limits.max_video_seconds:g} s limit",
                       accepted_videos(limits))


def _index(container, stream) -> tuple[list[float], list[float]]:
    """Presentation times of all frames and of keyframes, from packets alone (no decoding)."""
    times, keys = [], []
    for packet in container.demux(stream):
        if packet.pts is None:
            continue
        time = float(packet.pts * packet.time_base)
        times.append(time)
        if packet.is_keyframe:
            keys.append(time)
    return sorted(times), sorted(keys)


def _rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Apply the display matrix phones write instead of rotating the pixels (degrees CCW)."""
    turn = round(degrees / 90) % 4
    return image.rotate(90 * turn, expand=True) if turn else image


def _frame_image(frame, limits: IngestLimits) -> Image.Image:
    scale = min(1.0, limits.max_image_side / max(frame.width, frame.height))
    width, height = max(2, round(frame.width * scale)), max(2, round(frame.height * scale))
    image = frame.reformat(width=width, height=height, format="rgb24").to_image()
    return _rotate(image, getattr(frame, "rotation", 0) or 0)


def _sample(container, stream, times: list[float], keys: list[float], targets: list[float],
            limits: IngestLimits, start: float) -> list[_Candidate]:
    """Decode the frame at or just after each target time, seeking only when it saves decoding."""
    candidates: list[_Candidate] = []
    frames, position, last = None, -math.inf, None
    for target in targets:
        absolute = target + start
        key = keys[max(0, bisect.bisect_right(keys, absolute) - 1)] if keys else times[0]
        if frames is None or key > position:
            container.seek(round(key / stream.time_base), stream=stream, backward=True, any_frame=False)
            frames = container.decode(stream)
        picked = None
        for frame in frames:
            if frame.pts is None:
                continue
            position = float(frame.pts * frame.time_base)
            last = frame
            if position >= absolute - 1e-3:
                picked = frame
                break
        picked = picked or last  # past the final frame: the last one stands in
        if picked is not None:
            stamp = float(picked.pts * picked.time_base) - start
            if not candidates or stamp > candidates[-1].timestamp:
                candidates.append(_describe(_frame_image(picked, limits), max(0.0, stamp)))
    return candidates


def extract_keyframes(path: str | Path, limits: IngestLimits = IngestLimits()) -> list[Keyframe]:
    """Validate a clip and return at most ``max_keyframes_per_video`` sharp, distinct frames in time order."""
    if is_url(str(path)):  # Path() would fold "https://x/c.mp4" into a relative path named c.mp4
        raise IngestError(str(path)[:200], "is a web address; clips are not downloaded", URL_ADVICE)
    path = Path(path)
    name = path.name
    container = _open(path, limits)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if container.duration and container.duration / av.time_base > limits.max_video_seconds + 0.05:
            raise _too_long(name, container.duration / av.time_base, limits)  # before reading it all
        try:
            times, keys = _index(container, stream)
        except av.FFmpegError as exc:
            raise IngestError(name, f"video data is corrupt ({exc})", accepted_videos(limits)) from exc
        if not times:
            raise IngestError(name, "has no video frames", accepted_videos(limits))
        start = times[0]
        frame_step = (times[-1] - times[0]) / max(1, len(times) - 1)
        duration = times[-1] - start + frame_step
        if duration > limits.max_video_seconds + 0.05:  # headers can lie or be missing (webm)
            raise _too_long(name, duration, limits)
        count = int(min(MAX_CANDIDATES, max(1, math.ceil(duration * CANDIDATES_PER_SECOND))))
        targets = [(i + 0.5) * duration / count for i in range(count)]
        try:
            candidates = _sample(container, stream, times, keys, targets, limits, start)
        except av.FFmpegError as exc:
            raise IngestError(name, f"video frames cannot be decoded, the file looks damaged ({exc})", accepted_videos(limits)) from exc
    finally:
        container.close()
    if not candidates:
        raise IngestError(name, "no frame of the video could be decoded", accepted_videos(limits))
    chosen = _choose(candidates, limits.max_keyframes_per_video, duration)
    return [Keyframe(image=c.image, timestamp=round(c.timestamp, 3), source=name, sharpness=c.sharpness)
            for c in chosen]
