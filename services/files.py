"""The bytes of answer files: a content-addressed blob store, the "Sjekk" of a file's first
bytes, and streamed zips with safe names.

A blob lives at ``<root>/ab/abcdef…`` (its sha256), never under a name a client chose. It is
written to a private temporary file, fsynced and renamed into place (and the folder fsynced)
before the database row that points at it is committed: a crash in between leaves at most a
blob without a row, which ``sweep`` removes, and never a row without its bytes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .clock import wall_time
from .errors import RuleViolation
from .rules import MAX_FILE_BYTES, MIN_FREE_DISK_BYTES, file_extension
from .store import beside

CHUNK = 1 << 20
HEAD = 64  # bytes kept for the content check
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclasses.dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    head: bytes  # the first bytes, for ``check_content``


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: one that starts like a formula (a name or a
    group typed as "=HYPERLINK(…)") gets a leading apostrophe (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def blob_root(db: str | Path) -> Path:
    """Each database keeps its blobs beside it: two databases never sweep each other's."""
    return beside(db, ".blobs")


class BlobStore:
    def __init__(self, root: str | Path, min_free_bytes: int = MIN_FREE_DISK_BYTES):
        """``min_free_bytes``: below this much free disk, uploads are refused (``file.disk_full``)
        so that the database, the log and the blobs already taken keep room to be written."""
        self.root = Path(root)
        self.min_free_bytes = min_free_bytes
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes | BinaryIO | Iterable[bytes], limit: int = MAX_FILE_BYTES) -> Blob:
        """Store ``data`` and return its address. More than ``limit`` bytes raise
        ``file.too_large`` as soon as the limit is passed: nothing is kept, and memory holds one
        chunk at a time whatever the client sends. With less than ``min_free_bytes`` (plus the
        limit) free on the disk, ``file.disk_full`` is raised before a byte is written."""
        if shutil.disk_usage(self.root).free < self.min_free_bytes + limit:
            raise RuleViolation("file.disk_full")
        digest, size, head = hashlib.sha256(), 0, b""
        temp = self.root / "tmp" / uuid.uuid4().hex
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    size += len(chunk)
                    if size > limit:
                        raise RuleViolation("file.too_large")
                    if len(head) < HEAD:
                        head += chunk[:HEAD - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            blob = Blob(digest.hexdigest(), size, head)
            final = self._path(blob.sha256)
            final.parent.mkdir(exist_ok=True)
            os.replace(temp, final)  # the same bytes twice end up as one blob
            _fsync_dir(final.parent)
            return blob
        finally:
            temp.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def sweep(self, referenced: set[str], older_than_s: float = 3600.0) -> int:
        """Remove blobs no row points at, and temporary files of interrupted uploads, once
        they are older than ``older_than_s`` (a younger one may belong to an upload whose row
        is being committed right now). Returns how many were removed."""
        removed, cutoff = 0, wall_time() - older_than_s
        for path in self.root.glob("*/*"):
            name = path.name
            is_temp = path.parent.name == "tmp"
            if (is_temp or (SHA256.match(name) and name not in referenced)) and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def _path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise ValueError("not a sha256 address")
        return self.root / sha256[:2] / sha256


def _chunks(data) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start:start + CHUNK])
    elif hasattr(data, "read"):
        while chunk := data.read(CHUNK):
            yield chunk
    else:
        yield from data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- Sjekk: does the content match the extension? -------------------------------------------
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "gif": (b"GIF87a", b"GIF89a"),
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "jpe": (b"\xff\xd8\xff",),
    "bmp": (b"BM",), "tif": (b"II*\x00", b"MM\x00*"), "tiff": (b"II*\x00", b"MM\x00*"),
    "7z": (b"7z\xbc\xaf\x27\x1c",), "rar": (b"Rar!\x1a\x07",), "gz": (b"\x1f\x8b",),
    "rtf": (b"{\\rtf",), "wav": (b"RIFF",), "avi": (b"RIFF",), "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "flv": (b"FLV",), "swf": (b"FWS", b"CWS", b"ZWS"), "wmv": (b"\x30\x26\xb2\x75",), "emf": (b"\x01\x00\x00\x00",),
    **dict.fromkeys(("docx", "docm", "dotx", "dotm", "xlsx", "xlsb", "pptx", "pptm", "ppsx", "ppsm", "odt", "ods",
                     "odp", "odb", "ott", "sxw", "sxc", "stw", "zip", "zipx", "ggb", "xps"), ZIP),
    **dict.fromkeys(("doc", "dot", "xls", "ppt", "mpp", "vsd", "mdi"), OLE),
}
ISO_MEDIA = ("mp4", "m4a", "mov", "qt")  # "ftyp" (or a QuickTime atom) at offset 4
TEXT = ("txt", "htm", "html", "xml", "svg", "css", "js", "c", "h", "tex", "mht", "mm")


def check_content(name: str, head: bytes, size: int) -> str | None:
    """The label key of what is wrong with a file's content, or None ("Filen er sjekket").

    Goes beyond the extension: the first bytes must be what that kind of file starts with.
    Types without a known signature (mdb, hlp, …) are only checked for being non-empty."""
    if size == 0:
        return "file.empty"
    ext = file_extension(name)
    if ext in SIGNATURES:
        return None if head.startswith(SIGNATURES[ext]) else "file.content_mismatch"
    if ext in ISO_MEDIA:
        return None if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free") else "file.content_mismatch"
    if ext in TEXT:
        return None if b"\x00" not in head and not head.startswith(ZIP + OLE + (b"%PDF-",)) else "file.content_mismatch"
    return None


# -- names inside zips and in Content-Disposition ---------------------------------------------
def safe_name(name: str, fallback: str = "fil") -> str:
    """A client's file name made harmless as one path component: look-alike characters folded
    (NFKC: a fullwidth solidus becomes "/"), separators, control characters and reserved
    characters replaced, no leading dots, at most 150 characters. Display text stays as given."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join("_" if unicodedata.category(c)[0] == "C" or c in '/\\:*?"<>|' else c for c in text)
    text = text.strip().lstrip(".").strip()
    text = re.sub(r"\.{2,}", ".", text)
    if not text:
        return fallback
    stem, dot, ext = text.rpartition(".")
    return text[:150] if not dot else f"{stem[:140]}.{ext[:9]}"


class _Sink:
    """A write-only, unseekable file for zipfile that passes bytes on as they come."""

    def __init__(self, write) -> None:
        self._write = write
        self._offset = 0

    def write(self, data) -> int:
        self._write(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass


def zip_names(names: Iterable[str]) -> list[str]:
    """Unique names inside a zip, in order. "/" separates folders: pass client names
    through ``safe_name`` first, so that theirs never do."""
    used: set[str] = set()
    return [_unique(_safe_path(name), used) for name in names]


def _safe_path(name: str) -> str:
    return "/".join(safe_name(part) for part in name.split("/"))


def write_zip(write, entries: Iterable[tuple[str, Callable[[], BinaryIO | bytes]]]) -> None:
    """Stream a zip to ``write`` (called with each piece of bytes): one chunk of one file in
    memory at a time, never the archive. ``entries``: (name inside the zip, a function that
    opens the content); each file is opened only when its turn comes."""
    used: set[str] = set()
    with zipfile.ZipFile(_Sink(write), "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for arcname, opener in entries:
            name = _unique(_safe_path(arcname), used)  # names from ``zip_names`` stay as they are
            content = opener()
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            with archive.open(info, "w", force_zip64=True) as out:
                if isinstance(content, (bytes, bytearray)):
                    out.write(content)
                else:
                    with content:
                        while chunk := content.read(CHUNK):
                            out.write(chunk)


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    stem, dot, ext = name.rpartition(".")
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
    used.add(candidate.casefold())
    return candidate
