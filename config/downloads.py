"""The ``Content-Disposition`` header of every download, written one way (RFC 6266).

File names are built from things people typed (a protocol version's label, a
screening number), so nothing in them may reach the header as it is: a quote would
end the ``filename`` parameter early and a line break would end the header. The
header carries two names: ``filename="..."``, plain ASCII for old clients, and
``filename*=UTF-8''...`` (RFC 5987), the name as meant, which clients prefer.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

FALLBACK = "download"
MAX_NAME = 150  # characters: well inside every file system's limit

# Anything that is no file name character on some system, or a control character.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|;]+')
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9.+-]+")  # a run of them, underscores too, becomes one _


def safe_filename(name: str) -> str:
    """``name`` without control characters, separators or quotes, not hidden, not empty,
    at most :data:`MAX_NAME` characters (the extension kept)."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" ._") or FALLBACK
    if len(cleaned) <= MAX_NAME:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
    return cleaned[:MAX_NAME]


def ascii_filename(name: str) -> str:
    """The plain-ASCII stand-in: accents dropped (``Müller`` → ``Muller``), anything else
    outside letters, digits and ``._+-`` written as ``_``; the extension kept."""
    stem, dot, extension = safe_filename(name).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem, extension = _plain(stem) or FALLBACK, _plain(extension)
    return f"{stem}.{extension}" if extension else stem


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_PLAIN.sub("_", decomposed).strip("._")


def content_disposition(name: str, *, attachment: bool = True) -> str:
    """The header's value: ``attachment; filename="plain"; filename*=UTF-8''meant``."""
    kind = "attachment" if attachment else "inline"
    meant = quote(safe_filename(name), safe="")
    return f"{kind}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{meant}"
