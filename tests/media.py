"""Real test media made at test time (numpy + PyAV only, so any test file can import it)."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np

# Container -> (codec, pixel format); VP8 for webm because it encodes tiny clips fastest.
CODECS = {"mp4": ("libx264", "yuv420p"), "mov": ("libx264", "yuv420p"), "webm": ("libvpx", "yuv420p")}
SCENE_COLOURS = [(200, 40, 40), (40, 160, 60), (40, 70, 200), (230, 200, 40), (150, 60, 170)]


def video_frame(index: int, fps: int, size: tuple[int, int], scene_seconds: float) -> np.ndarray:
    """One RGB frame: a scene-coloured ground with a checker texture and a moving white square."""
    width, height = size
    t = index / fps
    scene = int(t // scene_seconds)
    background = np.array(SCENE_COLOURS[scene % len(SCENE_COLOURS)], dtype=np.uint8)
    frame = np.empty((height, width, 3), dtype=np.uint8)
    frame[:] = background
    yy, xx = np.mgrid[0:height, 0:width]
    checker = ((yy // 8 + xx // 8 + scene) % 2).astype(bool)  # sharp edges: a focused frame
    frame[checker] = (background * 0.6).astype(np.uint8)
    side = max(4, min(width, height) // 4)
    x = int((width - side) * (0.5 + 0.5 * np.sin(2 * np.pi * t / 2.0)))
    y = int((height - side) * (t % scene_seconds) / scene_seconds)
    frame[y:y + side, x:x + side] = 255
    return frame


def make_video(path: str | Path, seconds: float = 3.0, size: tuple[int, int] = (160, 120),
               fps: int = 10, codec_container: str = "mp4") -> Path:
    """Write a real clip: a new scene (colour) every second, a square moving through each."""
    path = Path(path)
    codec, pix_fmt = CODECS[codec_container]
    frames = max(1, round(seconds * fps))
    with av.open(str(path), mode="w", format=codec_container) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = pix_fmt
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        for index in range(frames):
            image = video_frame(index, fps, size, scene_seconds=1.0)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_audio_only(path: str | Path, seconds: float = 1.0) -> Path:
    """An .mp4 that holds only an AAC sound track: a video file without any picture."""
    path = Path(path)
    rate = 16000
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        samples = np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate).astype(np.float32)
        chunk = 1024
        for start in range(0, len(samples), chunk):
            part = samples[start:start + chunk]
            frame = av.AudioFrame.from_ndarray(part[None, :], format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
