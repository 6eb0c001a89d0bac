"""The mock provider: instant, free, deterministic, and its files are real media.

- text: a few paragraphs that read like the block's type and name what it is made from;
- image: a 640x360 PNG (Pillow) showing the block's title on a colour taken from the prompt,
  with its reference images (a shot's approved looks) as thumbnails along the bottom, each
  captioned with the start of its hash;
- video: with ffmpeg on PATH, a 2-second H.264 MP4 panning across the still; without it, an
  animated GIF of the same pan (Pillow);
- audio: a WAV whose length follows the text: spoken by espeak-ng when it is installed,
  otherwise a soft tone (0.4 s per word, 1 to 30 s).

The same request always gives the same bytes, so mock results are cached like any other.
"""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import struct
import subprocess
import tempfile
import textwrap
import wave
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from ..assets import StoredAsset
from .base import GenRequest, GenResult, RunContext

SIZE = (640, 360)
PAN_SIZE = (800, 450)
FRAMES = 24
FRAME_MS = 83
SAMPLE_RATE = 16000
SECONDS_PER_WORD = 0.4
TOOL_TIMEOUT_S = 60
THUMB_SIZE = (96, 54)
THUMB_GAP = 8
MAX_THUMBS = 4  # what fits beside the caption; more are counted ("+2")


def digest(request: GenRequest) -> bytes:
    return hashlib.sha256(f"{request.kind}\0{request.model}\0{request.prompt}\0{request.seed}".encode()).digest()


class Mock:
    name = "mock"

    def close(self) -> None:
        """Nothing to release: the mock holds no connections."""

    def run(self, request: GenRequest, context: RunContext) -> GenResult:
        if request.kind == "text":
            return GenResult(text=mock_text(request), meta={"mock": True})
        if request.kind == "image":  # an image's inputs are its reference images
            data = still_png(request, [(sha, _read(context, sha)) for sha in request.inputs])
        elif request.kind == "video":
            start = next((context.store.find(sha) for sha in request.inputs), None)
            still = context.store.read(start) if start is not None else still_png(request)
            data = pan_video(still)
        else:
            data = speech_wav(_words_for_audio(request), digest(request))
        asset: StoredAsset = context.store.put(data, "the mock's output")
        return GenResult(assets=[asset], meta={"mock": True})


def _read(context: RunContext, sha256: str) -> bytes | None:
    found = context.store.find(sha256)
    return context.store.read(found) if found is not None else None


def _pick(options: list[str], seed: bytes, i: int) -> str:
    return options[seed[i % len(seed)] % len(options)]


def mock_text(request: GenRequest) -> str:
    seed = digest(request)
    title = request.title or "Untitled"
    names = list(request.references) or ["the story so far"]
    joined = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    mood = _pick(["quiet", "tense", "wry", "tender", "restless"], seed, 0)
    light = _pick(["sodium light", "grey dawn", "rain-blurred neon", "low winter sun"], seed, 1)
    kind = request.block_type
    if kind == "scene":
        upper = names[0].upper()
        return (f"{light.capitalize()}. A {mood} stillness, then movement: "
                f"{joined} in the same frame.\n\n{upper}\n(under her breath)\nNot tonight.\n\n"
                f"The moment turns. Nobody says what they mean.\n")
    if kind == "shot":
        return (f"{_pick(['Wide', 'Medium', 'Close'], seed, 2)} on {title.lower()}, {light}. "
                f"We hold on {joined}; the camera drifts, {mood}, and lands before the cut.\n")
    if kind in ("character", "location", "prop", "costume"):
        return (f"# {title}\n\n{title} carries the film's {mood} weather: {light}, worn edges, one detail "
                f"the audience remembers. Shaped by {joined}.\n")
    if kind == "style_guide":
        return (f"- Palette: {light}, nothing pure white.\n- Texture: grain, weather in the foreground.\n"
                f"- Mood: {mood}. References: {joined}.\n")
    return (f"{title}: a {mood} {kind or 'block'} built from {joined}. {light.capitalize()} over everything; "
            "what is wanted and what stands in the way are plain by the end.\n")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def still_png(request: GenRequest, references: Sequence[tuple[str, bytes | None]] = ()) -> bytes:
    """`references`: (sha256, bytes or None when missing) of each reference image, in order."""
    seed = digest(request)
    background = (40 + seed[0] % 120, 40 + seed[1] % 120, 60 + seed[2] % 140)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    for i in range(0, SIZE[0], 40):  # a horizon of stripes, so a pan is visible
        shade = tuple(min(255, c + 25) for c in background)
        draw.rectangle([i, SIZE[1] * 2 // 3, i + 20, SIZE[1]], fill=shade)
    lines = textwrap.wrap(request.title or "Untitled", 26)[:3]
    font = _font(36)
    y = SIZE[1] // 3 - 22 * len(lines)
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((SIZE[0] - width) / 2, y), line, fill=(245, 235, 210), font=font)
        y += 46
    draw.text((16, SIZE[1] - 28), "cinefile mock still", fill=(220, 220, 220), font=_font(16))
    _draw_references(image, references)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _draw_references(image: Image.Image, references: Sequence[tuple[str, bytes | None]]) -> None:
    """Thumbnails of the reference images along the bottom right, each over the start of its
    hash, so a still shows which looks it was given (and its bytes change with them)."""
    draw = ImageDraw.Draw(image)
    font = _font(12)
    shown = references[:MAX_THUMBS]
    top = SIZE[1] - THUMB_SIZE[1] - 22
    for number, (sha, data) in enumerate(reversed(shown)):
        left = SIZE[0] - (number + 1) * (THUMB_SIZE[0] + THUMB_GAP)
        draw.rectangle([left - 2, top - 2, left + THUMB_SIZE[0] + 1, top + THUMB_SIZE[1] + 1], fill=(245, 235, 210))
        image.paste(_thumbnail(data), (left, top))
        draw.text((left, top + THUMB_SIZE[1] + 4), sha[:12], fill=(245, 235, 210), font=font)
    if len(references) > len(shown):
        left = SIZE[0] - len(shown) * (THUMB_SIZE[0] + THUMB_GAP) - 36
        draw.text((left, top + THUMB_SIZE[1] // 2 - 8), f"+{len(references) - len(shown)}", fill=(245, 235, 210),
                  font=_font(16))


def _thumbnail(data: bytes | None) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data or b"")) as picture:
            return ImageOps.fit(picture.convert("RGB"), THUMB_SIZE)
    except (UnidentifiedImageError, OSError, ValueError):  # not there or not readable: a grey card
        return Image.new("RGB", THUMB_SIZE, (90, 90, 90))


def pan_video(still: bytes) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    return _mp4_pan(ffmpeg, still) if ffmpeg else _gif_pan(still)


def _mp4_pan(ffmpeg: str, still: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="cinefile-mock-") as folder:
        source, target = Path(folder) / "still.png", Path(folder) / "pan.mp4"
        source.write_bytes(still)
        pan = (f"scale={PAN_SIZE[0]}:{PAN_SIZE[1]},"
               f"crop={SIZE[0]}:{SIZE[1]}:x='(iw-ow)*t/2':y='(ih-oh)/2'")
        subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-loop", "1", "-i", str(source),
                        "-vf", pan, "-t", "2", "-r", "12", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset",
                        "ultrafast", "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                        "-map_metadata", "-1", "-movflags", "+faststart", "-y", str(target)],
                       check=True, timeout=TOOL_TIMEOUT_S, capture_output=True)
        return target.read_bytes()


def _gif_pan(still: bytes) -> bytes:
    image = Image.open(io.BytesIO(still)).convert("RGB").resize(PAN_SIZE)
    span = PAN_SIZE[0] - SIZE[0]
    top = (PAN_SIZE[1] - SIZE[1]) // 2
    frames = [image.crop((span * i // (FRAMES - 1), top, span * i // (FRAMES - 1) + SIZE[0], top + SIZE[1]))
              .quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
              for i in range(FRAMES)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=FRAME_MS, loop=0)
    return out.getvalue()


def _words_for_audio(request: GenRequest) -> str:
    for key in ("text", "prompt", "script", "input"):
        value = request.params.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return request.prompt


def speech_wav(text: str, seed: bytes) -> bytes:
    espeak = shutil.which("espeak-ng")
    if espeak:
        with tempfile.TemporaryDirectory(prefix="cinefile-mock-") as folder:
            target = Path(folder) / "speech.wav"
            result = subprocess.run([espeak, "-w", str(target), text[:2000]], capture_output=True, timeout=TOOL_TIMEOUT_S)
            if result.returncode == 0 and target.is_file():
                return target.read_bytes()
    return tone_wav(len(text.split()), seed)


def tone_wav(words: int, seed: bytes) -> bytes:
    seconds = min(30.0, max(1.0, words * SECONDS_PER_WORD))
    frequency = 220 + seed[3] % 220
    count = int(seconds * SAMPLE_RATE)
    fade = SAMPLE_RATE // 20
    samples = bytearray()
    for n in range(count):
        envelope = min(1.0, n / fade, (count - n) / fade)
        samples += struct.pack("<h", int(8000 * envelope * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(bytes(samples))
    return out.getvalue()
