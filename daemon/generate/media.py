"""What kind of media a file is, from its first bytes rather than from what a server claims."""

from __future__ import annotations

# mime type -> file extension, for the kinds of media generation produces.
EXTENSIONS: dict[str, str] = {
    "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif",
    "video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov",
    "audio/wav": "wav", "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/flac": "flac",
}
MIME_OF_EXTENSION = {ext: mime for mime, ext in EXTENSIONS.items()}
SNIFF_BYTES = 32


def sniff(head: bytes) -> str | None:
    """The mime type of a file from its first bytes; None when it is no media cinefile knows."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"GIF87a") or head.startswith(b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    return None


# The media each kind of job may store. Video takes an animated GIF too: the mock makes one
# when ffmpeg is missing. Speech and music are audio.
_MEDIA_OF_KIND = {"image": ("image/",), "video": ("video/", "image/gif"), "audio": ("audio/",)}
_KIND_ALIASES = {"speech": "audio", "music": "audio"}


def media_kind(kind: str) -> str:
    """image, video or audio: the kind of media a job of `kind` stores."""
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in _MEDIA_OF_KIND:
        raise ValueError(f"no media kind {kind!r}: use one of {', '.join(_MEDIA_OF_KIND)}")
    return kind


def fits(mime: str, kind: str | None) -> bool:
    """Whether a file of type `mime` is what a job of `kind` makes (None: any media)."""
    return kind is None or mime.startswith(_MEDIA_OF_KIND[media_kind(kind)])
