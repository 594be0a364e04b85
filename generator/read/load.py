"""Read one source file: its bytes, safely (regular files only, bounded), then its values.

The values come from the fast YAML reader (yaml_reader.py), which keeps the line and column
of each; the result is a Document, or a SourceError carrying every problem found.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from generator.diagnostics import error_at
from generator.read.document import Document, SourceError
from generator.read.yaml_reader import read_yaml

MAX_FILE_BYTES = 16 * 1024 * 1024


SYMLINK_MESSAGE = "symbolic links are not read"
SYMLINK_HINT = "replace the link with the file itself"


def not_regular_message(mode: int) -> str:
    """Why a file of this st_mode is not read."""
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ]
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{kind}, not a regular file: golive reads only regular files"


def load_document(path: Path, file: str) -> Document:
    """Read `path` (shown to users as `file`) or raise SourceError."""
    try:
        raw = read_source(path, file)
    except FileNotFoundError as error:
        raise SourceError([error_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    return parse_document(raw, file)


def read_source(path: Path, file: str) -> bytes:
    """The bytes of a source file (shown to users as `file`), or SourceError.

    Only a regular file is read, never through a symbolic link (which could point out of the
    repository), and never more than 16 MiB of it whatever its size says: a FIFO or a device
    is refused instead of blocking or reading without end. FileNotFoundError passes through.
    """
    flags = os.O_RDONLY
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):  # those this system has
        flags |= getattr(os, name, 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SourceError([error_at(file, 1, 1, SYMLINK_MESSAGE, SYMLINK_HINT)]) from None
        raise SourceError([error_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise SourceError([error_at(file, 1, 1, not_regular_message(status.st_mode), "remove it")])
        if status.st_size > MAX_FILE_BYTES:
            size = status.st_size / 2**20
            raise SourceError([error_at(file, 1, 1, f"file is {size:.1f} MiB; sources are limited to 16 MiB")])
        raw = _read_at_most(descriptor, MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SourceError([error_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([error_at(file, 1, 1, "file is larger than 16 MiB")])
    return raw


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """Up to `limit` bytes: the size stat() gave may be stale, the bytes read are what count."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_document(raw: bytes, file: str) -> Document:
    """Parse YAML bytes into a Document or raise SourceError."""
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([error_at(file, 1, 1, "file is larger than 16 MiB")])
    root, packed = read_yaml(decode_source(raw, file), file)
    return Document(file, root, packed=packed, raw=raw)


def decode_source(raw: bytes, file: str) -> str:
    """A source's bytes as text (UTF-8, with or without a byte-order mark), or SourceError."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError([error_at(file, 1, 1, "file is UTF-16; save it as UTF-8")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            [
                error_at(
                    file,
                    line,
                    column,
                    f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return text
