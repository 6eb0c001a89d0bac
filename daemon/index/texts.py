"""Every version of a block's text, stored once: the `texts` table, keyed by the SHA-256 of
the text's bytes (a block file's `file_hash`), which history rows name (`text_hash`,
`previous_hash`).

History used to carry the text in each row's JSON, and an edit carried it twice (the new text
and the one before): a 5 MB block edited three times grew the index by 36 MB. Keyed by hash,
an edit adds one text, and a version that comes back (an undo, a rename) adds none.

Texts from `COMPRESS_FROM` bytes are kept zlib-compressed, as a BLOB; smaller ones as they
are, as TEXT: for a few hundred bytes zlib saves a third and costs ~25 µs a call (measured;
most of it setting zlib up), more than parsing the file's frontmatter.
"""

from __future__ import annotations

import zlib
from typing import Iterable

COMPRESS_FROM = 2048
_LEVEL = 1  # a big text is read back rarely; level 1 keeps a sync of it quick


def pack(data: bytes, text: str) -> str | bytes:
    """What `texts.data` holds for a text whose UTF-8 bytes are `data`."""
    return zlib.compress(data, _LEVEL) if len(data) >= COMPRESS_FROM else text


def unpack(value: str | bytes | None) -> str | None:
    return zlib.decompress(value).decode("utf-8") if isinstance(value, bytes) else value


def digest(file_hash: str) -> bytes:
    """The key of a text: its bytes' SHA-256 (as a file's hex `file_hash`) in 32 bytes."""
    return bytes.fromhex(file_hash)


def store(db, texts: Iterable[tuple[bytes, str | bytes]]) -> None:
    """Keep these (digest, packed) texts; one already kept is left as it is."""
    db.conn.executemany("INSERT OR IGNORE INTO texts (hash, data) VALUES (?, ?)", texts)

