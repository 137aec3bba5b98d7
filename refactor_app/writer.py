"""Atomic writes: a file on disk is always either wholly old or wholly new.

Each file is written to a temporary sibling, fsynced, given the original's mode, then renamed
over the original (several files: all written, then fsynced together, then renamed in turn). A symlink is followed: its target is edited, the link stays.
Given the bytes the file is expected to hold, the file is read again just before the rename
and left alone if it holds anything else (an editor saved it meanwhile).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

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
    prefix = temp_prefix(target)
    try:
        names = os.listdir(target.parent)  # (not glob: it compiles a pattern and makes a Path of every name)
    except OSError:
        names = []
    stale = [target.parent / name for name in names
             if name.startswith(prefix) and name.endswith(TEMP_SUFFIX) and len(name) > len(prefix) + len(TEMP_SUFFIX) - 1]
    stale = [p for p in stale if p.is_file()]
    for leftover in stale:
        leftover.unlink()
    return stale


def write_atomically(path: Path, data: bytes, display_path: str, expected=UNCHECKED) -> None:
    """Write `data` to `path`, all or nothing. `expected`: the bytes the file must still hold
    at the rename (None: it must not exist), else ChangedOnDisk and the file is left alone."""
    write_all_atomically([Write(path, data, display_path, expected)])


class Write(NamedTuple):
    path: Path
    data: bytes
    display_path: str
    expected: object = UNCHECKED


def write_all_atomically(writes: Sequence[Write], on_written: Callable[[int], None] | None = None) -> None:
    """Each file as `write_atomically` writes it, with the waits for the disk shared: every
    temporary file is written, then all are fsynced at once (fsyncs made together share the
    file system's journal commits: one wait instead of one a file, about 4 ms each here), then
    each is checked and renamed over its file in turn, and the folders are fsynced once each,
    together. `on_written(i)` once the i-th is renamed. When one fails, those renamed before it
    stay renamed (the caller puts them back) and the other temporary files are removed."""
    staged: list[tuple[int, str, Path]] = []  # (its open descriptor, temporary file, target), in order
    renamed = 0
    try:
        for write in writes:
            staged.append(_stage(write))
        _fsync_together([fd for fd, _, _ in staged])
        for index, (fd, temp_name, target) in enumerate(staged):
            staged[index] = (-1, temp_name, target)
            os.close(fd)
        for index, (write, (_, temp_name, target)) in enumerate(zip(writes, staged)):
            if write.expected is not UNCHECKED and read_or_none(target) != write.expected:
                raise ChangedOnDisk(write.display_path)
            os.replace(temp_name, target)
            renamed += 1
            if on_written is not None:
                on_written(index)
    except BaseException:
        for fd, temp_name, _ in staged[renamed:]:
            if fd >= 0:
                os.close(fd)
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
        raise
    finally:
        # The renames are durable only once their folders' entries are on disk.
        _fsync_folders(list(dict.fromkeys(str(target.parent) for _, _, target in staged[:renamed])))


def _stage(write: Write) -> tuple[int, str, Path]:
    """The temporary sibling of `write.path`, written (not yet fsynced) and still open, with the
    file's mode."""
    target = Path(os.path.realpath(write.path))
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
            f"cannot write {write.display_path}: permission denied in {directory}; make it writable and run again."
        ) from None
    except OSError as exc:
        raise RefactorError(f"cannot write {write.display_path}: {exc.strerror} ({directory})") from None
    try:
        view = memoryview(write.data)
        while view:
            view = view[os.write(fd, view):]
        os.chmod(temp_name, mode)
        if owner is not None and hasattr(os, "chown") and (os.getuid(), os.getgid()) != owner:
            try:
                os.chown(temp_name, *owner)  # run as root (sudo) on a user's file: it stays theirs
            except PermissionError:
                pass
    except BaseException:
        os.close(fd)
        os.unlink(temp_name)
        raise
    return fd, temp_name, target


def _fsync_together(fds: list[int]) -> None:
    """fsync each descriptor, at once (the last here, the others on helper threads); raises
    what an fsync raised."""
    errors: list[BaseException] = []
    replies = _fsync_helpers(len(fds) - 1, fds[:-1]) if len(fds) > 1 else None
    if fds:
        try:
            os.fsync(fds[-1])
        except OSError as exc:
            errors.append(exc)
    for _ in fds[:-1]:
        error = replies.get()
        if error is not None:
            errors.append(error)
    if errors:
        raise errors[0]


# Helper threads that fsync, kept for the process's life: a fleet worker writes four files a
# project, and starting a thread for each fsync cost more CPU than the fsync itself.
_HELPERS: dict = {"pid": None, "jobs": None, "count": 0}


def _fsync_helpers(needed: int, fds: list[int]):
    """Hand `fds` to helper threads (started as needed, again after a fork: threads do not
    survive one); the queue each answers on, with None or what its fsync raised."""
    import threading
    from queue import SimpleQueue

    if _HELPERS["pid"] != os.getpid():
        _HELPERS.update(pid=os.getpid(), jobs=SimpleQueue(), count=0)
    jobs = _HELPERS["jobs"]
    while _HELPERS["count"] < min(needed, 8):
        threading.Thread(target=_fsync_helper, args=(jobs,), name="refactor-app fsync", daemon=True).start()
        _HELPERS["count"] += 1
    replies = SimpleQueue()
    for fd in fds:
        jobs.put((fd, replies))
    return replies


def _fsync_helper(jobs) -> None:
    while True:
        fd, replies = jobs.get()
        try:
            os.fsync(fd)
        except BaseException as exc:  # noqa: BLE001  (whatever it is, the caller raises it: it never waits forever)
            replies.put(exc)
        else:
            replies.put(None)


def _fsync_folders(folders: list[str]) -> None:
    """fsync each folder, at once, as well as can be (some file systems refuse a folder's fsync)."""
    fds = []
    for folder in folders:
        try:
            fds.append(os.open(folder, os.O_RDONLY))
        except OSError:
            pass
    try:
        _fsync_together(fds)
    except OSError:
        pass
    finally:
        for fd in fds:
            os.close(fd)


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
