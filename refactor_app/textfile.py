"""Reading and re-encoding plain text files without changing their conventions.

A text file keeps its encoding, byte-order mark and line endings: edits work on ``str`` and
`encode` turns the result back into the bytes the file would have had if a person using the
same editor had typed the change.
"""

from __future__ import annotations

import codecs
import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from refactor_app.boundary import Boundary
from refactor_app.errors import RefactorError


@dataclass
class TextFormat:
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def detect_newline(text: str) -> str:
    """The file's own line ending: that of its first line, else LF."""
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    return "\n"


def decode(data: bytes, display_path: str) -> tuple[str, TextFormat]:
    """Decode UTF-8 text (with or without BOM); refuse binary or other encodings plainly."""
    if b"\0" in data:
        raise RefactorError(
            f"{display_path} looks like a binary file, not text; restore the text file and run again."
        )
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefactorError(
            f"{display_path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and run again."
        ) from None
    return text, TextFormat("utf-8", bom, detect_newline(text))


MAX_BYTES = 10 * 1024 * 1024  # settings modules, Dockerfiles and .env-local files are a few kB
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: Path, display_path: str, inside: Boundary | None = None) -> bytes | None:
    """The file's bytes, None when it does not exist, a plain error when it cannot be read.

    Only a regular file of at most MAX_BYTES is read: a FIFO, a device or a socket is refused
    from its stat, before it is opened (and it is opened without blocking, in case it was
    swapped in between). `inside`: the repository the file must resolve into, links followed;
    a dangling link counts by where it points."""
    if inside is not None:
        inside.check(path, display_path)  # each time: callers may draw the boundary differently
    if _listings is not None:
        key = os.fspath(path)
        data = _contents.get(key, _UNLISTED)
        if data is _UNLISTED:
            data = _read_bytes(path, display_path) if may_exist(path) else None
            _contents[key] = data
        return data
    return _read_bytes(path, display_path)


def _read_bytes(path: Path, display_path: str) -> bytes | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _read_error(exc, display_path) from None
    check_regular(info, path, display_path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _read_error(exc, display_path) from None
    try:  # (the descriptor itself: a file object costs more than reading a settings file)
        opened = os.fstat(fd)
        check_regular(opened, path, display_path)
        try:
            data = _read_up_to(fd, opened.st_size + 1)  # sized to the file: a 10 MB buffer costs more than the read
            if len(data) > opened.st_size:  # it grew since: read on, as far as the bound
                data += _read_up_to(fd, MAX_BYTES + 1 - len(data))
        except OSError as exc:
            raise _read_error(exc, display_path) from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _too_large(len(data), display_path)
    return data


def _read_up_to(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes from `fd`, fewer only at the end of the file."""
    parts = []
    while limit > 0:
        block = os.read(fd, limit)
        if not block:
            break
        parts.append(block)
        limit -= len(block)
    return b"".join(parts) if len(parts) != 1 else parts[0]


def is_regular_file(path: Path, display_path: str) -> bool:
    """True for a regular file (links followed), False when nothing or a folder is there; a plain
    error for a FIFO, a device, a socket or a file over MAX_BYTES, which is never opened."""
    if not may_exist(path):
        return False
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise _read_error(exc, display_path) from None
    if stat.S_ISDIR(info.st_mode):
        return False
    check_regular(info, path, display_path)
    return True


def check_regular(info: os.stat_result, path: Path, display_path: str) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > MAX_BYTES:
            raise _too_large(info.st_size, display_path)
        return
    if stat.S_ISDIR(mode):
        raise RefactorError(f"{display_path} is a folder, not a file; rename it and run again.")
    kind = next((name for test, name in _KINDS if test(mode)), "special file")
    shown = f"{display_path} (a link to {os.path.realpath(path)})" if os.path.islink(path) else display_path
    raise RefactorError(
        f"{shown} is a {kind}, not a regular file, so refactor-app does not read it; "
        "replace it with a regular file and run again."
    )


_KINDS = (
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


def _too_large(size: int, display_path: str) -> RefactorError:
    return RefactorError(
        f"{display_path} is {size / 1024 / 1024:.1f} MB, more than the {MAX_BYTES // 1024 // 1024} MB refactor-app "
        "reads (such files are a few kB); check that it is the right file, or make this change by hand."
    )


def _read_error(exc: OSError, display_path: str) -> RefactorError:
    if isinstance(exc, IsADirectoryError):
        return RefactorError(f"{display_path} is a folder, not a file; rename it and run again.")
    if isinstance(exc, PermissionError):
        return RefactorError(
            f"cannot read {display_path}: permission denied; make it readable (chmod u+r) and run again."
        )
    return RefactorError(f"cannot read {display_path}: {exc.strerror}; fix it and run again.")


def split_lines(text: str) -> list[str]:
    """Lines split at "\n" only, endings kept, so joining them gives the text back exactly.

    (str.splitlines would also split at form feeds and other separators tools treat as text.)
    """
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def append_line(text: str, line: str, newline: str) -> str:
    """Add a line at the end; a file without a final newline keeps having none."""
    if text and not text.endswith("\n"):
        return text + newline + line
    return text + line + newline


# --- read once while nothing is written -----------------------------------------------------

_listings: dict[str, frozenset[str] | None] | None = None  # folder -> its names, casefolded, while read_once()
_contents: dict[str, bytes | None] = {}  # path -> its bytes (None: nothing there), while read_once()
_real_paths: dict[str, str] = {}  # absolute path -> os.path.realpath of it, while read_once()


@contextmanager
def read_once() -> Iterator[None]:
    """While open (discovery and planning, which write nothing), each folder is listed once, for
    `may_exist`, and each file `read_bytes` reads is read once: discovery looks for some fifty
    names (Dockerfiles, compose and platform files) in a handful of folders, nearly all missing,
    and the settings, the Dockerfile and the compose file are read by several of its parts."""
    global _listings
    if _listings is not None:  # nested: the outer one goes on
        yield
        return
    _listings = {}
    try:
        yield
    finally:
        _listings = None
        _contents.clear()
        _real_paths.clear()


def may_exist(path: str | os.PathLike[str]) -> bool:
    """False when nothing is at `path`, not even a dangling link (os.path.lexists); True when
    something may be, for the caller's own check to decide. Outside `read_once()`, always True.
    A name matches its folder's listing whatever its case (a case-insensitive file system
    finds `dockerfile` for `Dockerfile`); a name that is not ASCII is always asked directly."""
    listings = _listings  # (one reference: a scope ending meanwhile leaves this call's as it was)
    if listings is None:
        return True
    folder, name = os.path.split(os.fspath(path))
    if not name or not name.isascii() or not folder:
        return True
    names = listings.get(folder, _UNLISTED)
    if names is _UNLISTED:
        names = frozenset() if _missing_below_a_listed_folder(listings, folder) else _list(folder)
        listings[folder] = names
    return names is None or name.casefold() in names


def listed_names(folder: str | os.PathLike[str]) -> frozenset[str]:
    """The names in `folder`, case-folded; inside `read_once()` from the listing `may_exist` keeps."""
    text = os.fspath(folder)
    listings = _listings
    if listings is None:
        return _list(text) or frozenset()
    names = listings.get(text, _UNLISTED)
    if names is _UNLISTED:
        names = listings[text] = _list(text)
    return names or frozenset()


def resolving_once() -> bool:
    """Is a `read_once()` scope open (where `real_path` remembers what it resolved)?"""
    return _listings is not None


def real_path(path: str | os.PathLike[str]) -> str:
    """os.path.realpath(path). Inside `read_once()` each folder on the way is resolved once: a
    project's files share their folders, and realpath would lstat every one of them again."""
    text = os.fspath(path)
    if _listings is None or not os.path.isabs(text):
        return os.path.realpath(text)
    known = _real_paths.get(text)
    if known is not None:
        return known
    head, tail = os.path.split(text)
    if not tail or tail in (".", "..") or head == text:  # the root, a trailing slash or dots
        real = os.path.realpath(text)
    else:
        candidate = os.path.join(real_path(head), tail)
        try:
            link = stat.S_ISLNK(os.lstat(candidate).st_mode)
        except OSError:
            link = False  # nothing there (or below a file): realpath keeps the name as written
        real = os.path.realpath(candidate) if link else candidate
    _real_paths[text] = real
    return real


def lexists(path: str | os.PathLike[str]) -> bool:
    """os.path.lexists, answered from the folder's listing when that shows nothing there."""
    return may_exist(path) and os.path.lexists(path)


def _missing_below_a_listed_folder(listings: dict, folder: str) -> bool:
    """Is `folder` missing from the listing of its nearest listed ancestor (compose/production/web/
    when the project's folder, listed, has no compose/)? Then it needs no listing of its own."""
    below = folder
    while True:
        parent, leaf = os.path.split(below)
        if not leaf or parent == below:
            return False
        listed = listings.get(parent, _UNLISTED)
        if listed is not _UNLISTED:
            return listed is not None and leaf.isascii() and leaf.casefold() not in listed
        below = parent


def _list(folder: str) -> frozenset[str] | None:
    try:
        return frozenset(entry.casefold() for entry in os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    except OSError:  # unreadable: each name is asked directly
        return None


_UNLISTED = object()
