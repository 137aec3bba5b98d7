"""Atomic writes: a file on disk is always either wholly old or wholly new.

Each file is written to a temporary sibling, flushed and fsynced, given the original's mode,
then renamed over the original. A symlink is followed: its target is edited, the link stays.
Given the bytes the file is expected to hold, the file is read again just before the rename
and left alone if it holds anything else (an editor saved it meanwhile).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from refactor_app.errors import RefactorError

NEW_FILE_MODE = 0o644
TEMP_SUFFIX = ".refactor-app.tmp"
UNCHECKED = object()  # write whatever the file holds


class ChangedOnDisk(RefactorError):
    """The file no longer holds what it was expected to: it was left as it is."""

    def __init__(self, display_path: str) -> None:
        super().__init__(f"{display_path} changed on disk while refactor-app was writing it (saved in an editor?)")
        self.display_path = display_path


def temp_prefix(target: Path) -> str:
    return f".{target.name}."


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Temporary siblings a run killed mid-write left behind for `path`; removed, and returned."""
    target = Path(os.path.realpath(path))
    stale = [p for p in target.parent.glob(f"{temp_prefix(target)}*{TEMP_SUFFIX}") if p.is_file()]
    for leftover in stale:
        leftover.unlink()
    return stale


def write_atomically(path: Path, data: bytes, display_path: str, expected=UNCHECKED) -> None:
    """Write `data` to `path`, all or nothing. `expected`: the bytes the file must still hold
    at the rename (None: it must not exist), else ChangedOnDisk and the file is left alone."""
    target = Path(os.path.realpath(path))
    try:
        info = target.stat()
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:
        mode, owner = NEW_FILE_MODE & ~_current_umask(), None
    directory = target.parent
    try:
        fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=directory)
    except PermissionError:
        raise RefactorError(
            f"cannot write {display_path}: permission denied in {directory}; make it writable and run again."
        ) from None
    except OSError as exc:
        raise RefactorError(f"cannot write {display_path}: {exc.strerror} ({directory})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        if owner is not None and hasattr(os, "chown") and (os.getuid(), os.getgid()) != owner:
            try:
                os.chown(temp_name, *owner)  # run as root (sudo) on a user's file: it stays theirs
            except PermissionError:
                pass
        if expected is not UNCHECKED and read_or_none(target) != expected:
            raise ChangedOnDisk(display_path)
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
