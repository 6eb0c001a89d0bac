"""What a Replicate prediction's `output` holds, whatever its shape.

A model's output is whatever its schema says: a URL, a list of URLs (flux), or any JSON, such
as an object whose values hold the files (`{"video": url, "thumbnail": url}`,
`{"audio_out": url}`), lists nested inside. URLs may be `data:` URIs.
"""

from __future__ import annotations

from typing import Any

URL_PREFIXES = ("https://", "http://", "data:")  # http: is found too, for the store to refuse it
# Words in an output object's keys that name each kind's media: those files come first.
KIND_WORDS = {
    "image": ("image", "img", "png", "jpg", "jpeg", "webp"),
    "video": ("video", "mp4", "mov", "webm"),
    "audio": ("audio", "wav", "mp3", "speech", "voice", "music", "sound"),
}


def media_urls(output: Any, kind: str) -> list[str]:
    """Every file URL in an output, in order; in an object, those under a key naming the kind
    first (a video's `video` before its `thumbnail`)."""
    if isinstance(output, str):
        return [output] if output.startswith(URL_PREFIXES) else []
    if isinstance(output, list):
        return [url for item in output for url in media_urls(item, kind)]
    if isinstance(output, dict):
        words = KIND_WORDS.get(kind, ())
        first = [key for key in output if any(word in str(key).lower() for word in words)]
        rest = [key for key in output if key not in first]
        return [url for key in first + rest for url in media_urls(output[key], kind)]
    return []


def requested_seconds(inputs: dict[str, Any]) -> float | None:
    """The length of output an input asks for: `duration`, or `num_frames` at its frame rate."""
    duration = inputs.get("duration")
    if _positive(duration):
        return float(duration)
    frames, rate = inputs.get("num_frames"), inputs.get("frames_per_second", inputs.get("fps"))
    if _positive(frames) and _positive(rate):
        return frames / rate
    return None


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
