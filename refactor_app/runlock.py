"""One writing run at a time per repository.

A run that writes (apply, apply --commit, --interactive) holds `refactor-app.lock` in the
repository's git folder (in the project folder outside git) with flock, from its dirty-tree
check to its last commit; a second run is refused. The kernel releases a flock when its
process dies, so a killed run blocks nobody; the file it leaves (with its pid) tells the next
run that it was stopped before it finished. A finished run removes the file.

The lock is re-entrant in a process and in the fleet's forked workers: the fleet's parent holds
it for each repository and its workers write under it. The git rm of a project alone in its
repository runs in its worker; that of projects sharing one runs in the parent, one for all.
"""

from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from refactor_app.errors import RefactorError

LOCK_NAME = "refactor-app.lock"


class Held:
    """A held lock: where, and the pid of an earlier run that was stopped before it finished."""

    def __init__(self, path: Path, fd: int | None, stopped_pid: int | None) -> None:
        self.path = path
        self.fd = fd
        self.stopped_pid = stopped_pid
        self.depth = 0


_held: dict[Path, Held] = {}  # this process's locks (a fleet worker inherits its parent's)


def lock_path(root: Path) -> tuple[Path, Path]:
    """The lock file for a project folder, and the folder it guards (the work tree)."""
    root = Path(root).resolve()
    if os.environ.get("GIT_DIR"):
        return Path(os.environ["GIT_DIR"]).resolve() / LOCK_NAME, root
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / LOCK_NAME, folder
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            try:
                line = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                break
            if line.startswith("gitdir:"):
                return (folder / line[len("gitdir:"):].strip()).resolve() / LOCK_NAME, folder
            break
    return root / f".{LOCK_NAME}", root


@contextmanager
def holding(root: Path, at: tuple[Path, Path] | None = None) -> Iterator[Held]:
    """Hold the repository's lock for a writing run, or refuse (RefactorError) while another
    run holds it. `at`: lock_path(root), when the caller has it already."""
    path, guarded = lock_path(root) if at is None else at
    held = _held.get(path)
    if held is None:
        held = _acquire(path, guarded)
        _held[path] = held
    held.depth += 1
    finished = False
    try:
        yield held
        finished = True
    finally:
        held.depth -= 1
        if held.depth == 0:
            del _held[path]
            _release(held, finished)


def _acquire(path: Path, guarded: Path) -> Held:
    try:
        import fcntl
    except ImportError:  # no flock (Windows): runs are not kept apart
        return Held(path, None, None)
    while True:
        try:
            # Never through a link (it could lead out of the repository), never blocking on a FIFO.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
                # A read-only git folder: no lock, but git itself will refuse to change anything.
                return Held(path, None, None)
            if exc.errno == errno.ELOOP:
                raise _not_a_lock(path, guarded, "a link") from None
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise _not_a_lock(path, guarded, "not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            pid = _read_pid(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return Held(path, None, None)  # a file system without flock
            shown = _shown(path, guarded)
            raise RefactorError(
                f"another refactor-app run is applying changes in {guarded} (pid {pid or 'unknown'}); "
                f"wait for it to finish, or remove {shown} if no run is active."
            ) from None
        if not _same_file(fd, path):
            os.close(fd)  # the run before removed it as we opened it: take the new one
            continue
        stopped = _read_pid(fd)
        _write_pid(fd, os.getpid())
        return Held(path, fd, stopped if stopped != os.getpid() else None)


def _not_a_lock(path: Path, guarded: Path, what: str) -> RefactorError:
    return RefactorError(
        f"{_shown(path, guarded)} is {what}, not refactor-app's lock file; remove it and run again."
    )


def _release(held: Held, finished: bool) -> None:
    if held.fd is None:
        return
    try:
        if held.stopped_pid is not None and not finished:
            # What the stopped run left is still there: the next run should still hear of it.
            _write_pid(held.fd, held.stopped_pid)
        elif _same_file(held.fd, held.path):  # not one a later run made after ours was removed by hand
            os.unlink(held.path)
    except OSError:
        pass
    finally:
        os.close(held.fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (current.st_ino, current.st_dev) == (opened.st_ino, opened.st_dev)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _write_pid(fd: int, pid: int) -> None:
    # Written, then cut to its length: a file truncated to nothing and written again is flushed
    # to disk when closed (ext4's auto_da_alloc), and a fleet closes one a repository.
    data = f"{pid}\n".encode()
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))


def _shown(path: Path, guarded: Path) -> str:
    try:
        return path.relative_to(guarded).as_posix()
    except ValueError:
        return str(path)
