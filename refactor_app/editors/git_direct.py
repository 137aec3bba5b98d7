"""Two of git's answers read from the repository's own files, without starting git: the work
tree's top (what `git rev-parse --show-toplevel` prints) and the paths the index holds (what
`git ls-files` lists). A git process costs a few milliseconds; a fleet of a thousand projects
asked it several seconds. These cost a few stat calls and one read of `.git/index`.

Only the plain case is read here: a `.git` folder at the top of the work tree, the user's own
(git refuses another user's), a config that moves nothing (no core.worktree, not bare, no
include, SHA-1 names), an index of version 2, 3 or 4 that is neither split nor sparse, and no
GIT_* variable that changes where git looks. Anything else answers None: the caller asks git,
which stays the authority.
"""

from __future__ import annotations

import os
import stat
import struct
from typing import NamedTuple

from refactor_app.textfile import real_path

# Variables that move the repository, its work tree or its index, or stop git's search early.
_MOVING_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES",
                     "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE")
_FALSE = {b"false", b"no", b"off", b"0"}


def plain_environment() -> bool:
    """No GIT_* variable that changes where git finds the repository or its index."""
    return not any(name in os.environ for name in _MOVING_VARIABLES) and not any(
        name.startswith("GIT_TEST_") for name in os.environ)


def work_tree_top(folder: str | os.PathLike[str]) -> str | None:
    """The real path of the work tree holding `folder`, when a plain `.git` folder says it; None
    when git has to be asked (a `.git` file of a linked work tree or submodule, another user's
    repository, a config that moves the work tree, a mount point on the way, no `.git` at all)."""
    if not plain_environment():
        return None
    current = real_path(folder)
    try:
        device = os.stat(current).st_dev
    except OSError:
        return None
    while True:
        dot_git = os.path.join(current, ".git")
        try:
            found = os.lstat(dot_git)
        except FileNotFoundError:
            found = None
        except OSError:
            return None
        if found is not None:
            return current if stat.S_ISDIR(found.st_mode) and _plain_git_dir(dot_git, current, found) else None
        if os.path.exists(os.path.join(current, "HEAD")):
            return None  # this folder may itself be a (bare) repository's: git decides
        parent = os.path.dirname(current)
        if parent == current:
            return None
        try:
            if os.stat(parent).st_dev != device:
                return None  # git stops at a mount point unless told otherwise: it decides
        except OSError:
            return None
        current = parent


def _plain_git_dir(git_dir: str, top: str, git_dir_stat: os.stat_result) -> bool:
    """Is `git_dir` a repository git would take as it stands, with `top` as its work tree?"""
    if not hasattr(os, "geteuid"):
        return False  # (Windows) git's ownership check compares accounts this module cannot: git decides
    uid = os.geteuid()
    try:
        if git_dir_stat.st_uid != uid or os.stat(top).st_uid != uid:
            return False  # git's ownership check (safe.directory) decides
        if not (os.path.isfile(os.path.join(git_dir, "HEAD")) and os.path.isdir(os.path.join(git_dir, "objects"))
                and os.path.isdir(os.path.join(git_dir, "refs"))):
            return False
        if os.path.exists(os.path.join(git_dir, "commondir")):
            return False
        with open(os.path.join(git_dir, "config"), "rb") as handle:
            config = handle.read()
    except OSError:
        return False
    for line in config.lower().splitlines():
        line = line.split(b"#")[0].split(b";")[0].strip()
        if line.startswith(b"[include"):
            return False  # [include] and [includeIf]: settings from elsewhere
        key, _, value = line.partition(b"=")
        key = key.strip()
        if key.startswith(b"worktree") or key in (b"objectformat", b"refstorage"):
            return False  # core.worktree, extensions.worktreeConfig, a SHA-256 or reftable repository
        if key == b"bare" and value.strip().strip(b'"') not in _FALSE:
            return False
    return True


class IndexListing(NamedTuple):
    """The paths of a repository's index, one per entry (an unmerged path once per stage, as
    `git ls-files` lists it), in the index's order (sorted by their bytes), each after a NUL
    in one bytes object: a monorepo's index holds tens of thousands of paths, which as objects
    would cost each worker several megabytes."""

    names: bytes  # b"\0path1\0path2...\0"
    skip_worktree: frozenset[bytes]

    def under(self, repo_path: str) -> list[str]:
        """The entries at `repo_path` or inside it (a path relative to the work tree, `/`-separated),
        as `git ls-files -- ':(literal)repo_path'` lists them."""
        prefix = b"\0" + repo_path.encode("utf-8", "surrogateescape")
        found = []
        at = self.names.find(prefix)  # sorted: every path that starts so follows the first
        while at >= 0 and self.names.startswith(prefix, at):
            end = self.names.index(b"\0", at + 1)
            if end == at + len(prefix) or self.names[at + len(prefix)] == 0x2F:  # the path, or below it ("/")
                found.append(self.names[at + 1:end].decode("utf-8", "surrogateescape"))
            at = end if end < len(self.names) - 1 else -1
        return found

    def holds(self, repo_path: str) -> bool:
        """Is `repo_path` (a file) in the index?"""
        return b"\0" + repo_path.encode("utf-8", "surrogateescape") + b"\0" in self.names

    def skipped(self, repo_path: str) -> bool:
        return repo_path.encode("utf-8", "surrogateescape") in self.skip_worktree


EMPTY = IndexListing(b"\0", frozenset())


_LISTINGS: dict[str, tuple[tuple[int, int, int], IndexListing]] = {}  # top -> (the file's identity, listing)
_HEADER = struct.Struct(">4sII")
_FLAGS_AT = 60  # after ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each), a SHA-1 (20)
_MODE_AT = 24


def read_index(top: str) -> IndexListing | None:
    """The index of the plain repository whose work tree is `top` (see `work_tree_top`); None
    when it is not one this module reads. Read again only when the file changed (git replaces
    it whole, by a rename, so a read sees one version)."""
    path = os.path.join(top, ".git", "index")
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return EMPTY  # nothing added yet: git lists nothing
    except OSError:
        return None
    with handle:
        info = os.fstat(handle.fileno())
        identity = (info.st_ino, info.st_size, info.st_mtime_ns)
        cached = _LISTINGS.get(top)
        if cached is not None and cached[0] == identity:
            return cached[1]
        data = handle.read()
    try:
        listing = _parse_index(data)
    except (struct.error, ValueError, IndexError):
        listing = None
    if listing is not None:
        if len(_LISTINGS) > 64:  # a fleet of many repositories: keep the recent ones only
            _LISTINGS.clear()
        _LISTINGS[top] = (identity, listing)
    return listing


class _Unread(Exception):
    """The index is not one this module reads (or is damaged): git is asked instead."""


def _checked(data: bytes) -> tuple[int, int]:
    """(version, entry count) of an index whose header and checksum are sound; raises _Unread."""
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise _Unread
    checksum = data[-20:]
    if checksum != bytes(20) and _sha1(memoryview(data)[:-20]) != checksum:  # (a view: no copy)
        raise _Unread  # damaged (git checks it too, unless index.skipHash left it zero)
    return version, count


class _Entries:
    """The index's entries, in order, each as (where it starts, its path, its flags, its
    extended flags); `end`, once walked, is where the extensions start. Raises _Unread."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.version, self.count = _checked(data)
        self.end = 0

    def __iter__(self):
        data, version = self.data, self.version
        offset = 12
        previous = b""
        end = len(data) - 20  # the trailing checksum
        for _ in range(self.count):
            start = offset
            flags = int.from_bytes(data[offset + _FLAGS_AT:offset + _FLAGS_AT + 2], "big")
            position = offset + _FLAGS_AT + 2
            extended = 0
            if flags & 0x4000:  # extended flags follow (version 3 and later)
                if version < 3:
                    raise _Unread
                extended = int.from_bytes(data[position:position + 2], "big")
                position += 2
            if version == 4:
                strip, position = _varint(data, position)
                if strip > len(previous):
                    raise _Unread
                nul = data.index(b"\0", position)
                name = previous[:len(previous) - strip] + data[position:nul]
                offset = nul + 1
            else:
                length = flags & 0x0FFF
                nul = position + length if length < 0x0FFF else data.index(b"\0", position)
                if data[nul] != 0:
                    raise _Unread
                name = data[position:nul]
                offset += (position - offset + len(name) + 8) & ~7  # NUL-padded to a multiple of 8
            if offset > end or not name or name < previous:
                raise _Unread  # cut short, or not sorted as git keeps it: not read here
            yield start, name, flags, extended
            previous = name
        self.end = offset

    def extensions(self):
        """(signature, its data) of each extension, once the entries are walked. Raises _Unread
        for a split index (which holds only changes) or a sparse one (which holds folders)."""
        data, offset, end = self.data, self.end, len(self.data) - 20
        while offset + 8 <= end:
            signature = data[offset:offset + 4]
            if signature in (b"link", b"sdir"):
                raise _Unread
            size = int.from_bytes(data[offset + 4:offset + 8], "big")
            yield signature, data[offset + 8:offset + 8 + size]
            offset += 8 + size


def _parse_index(data: bytes) -> IndexListing | None:
    try:
        entries = _Entries(data)
        names = bytearray(b"\0")
        skipped = []
        for start, name, _, extended in entries:
            if stat.S_ISDIR(int.from_bytes(data[start + _MODE_AT:start + _MODE_AT + 4], "big")):
                return None  # a sparse index's folder entry: git lists the files inside it
            names += name
            names += b"\0"
            if extended & 0x4000:  # skip-worktree
                skipped.append(name)
        for _ in entries.extensions():  # (a split or sparse index: _Unread)
            pass
    except (_Unread, struct.error, ValueError, IndexError):
        return None
    return IndexListing(bytes(names), frozenset(skipped))


# An index entry's stat data: ctime and mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size.
_STAT_DATA = struct.Struct(">10I")
_GITLINK = 0o160000
# Past this many tracked files, one `git status` (which checks files on several threads, and
# may have a file-system monitor's help, and is asked once a worker in a run that writes
# nothing) is quicker than a check here.
UNCHANGED_LIMIT = 5000


def unchanged(top: str, prefix: str = "") -> bool | None:
    """True when `git status --untracked-files=no` of the plain repository whose work tree is
    `top` (see `work_tree_top`) would list nothing, or of `prefix` alone (a folder, relative to
    `top`, `/`-separated): HEAD has a commit, the index holds HEAD's tree (its cache of tree ids
    says so at the top, as `git commit` and a checkout leave it), and each tracked file under
    `prefix` has the size, times, inode and mode the index noted for it, written before the
    index was (a file changed in the same second could still differ: git compares its content).

    None when git has to be asked: anything changed, or it cannot be told from stat data
    (unmerged paths, intent-to-add or skip-worktree entries, submodules, a split or sparse index,
    a commit this module cannot read), or an index of more than UNCHANGED_LIMIT files: each
    call reads and walks the whole index, and a repository that large is one git status's work."""
    from refactor_app.editors.git_head import head_tree

    git_dir = os.path.join(top, ".git")
    try:
        with open(os.path.join(git_dir, "index"), "rb") as handle:
            index_seconds = os.fstat(handle.fileno()).st_mtime_ns // 1_000_000_000
            data = handle.read(_HEADER.size)
            if len(data) < _HEADER.size or _HEADER.unpack_from(data, 0)[2] > UNCHANGED_LIMIT:
                return None
            data += handle.read()
        entries = _Entries(data)
        under = prefix.encode("utf-8", "surrogateescape") + b"/" if prefix else b""
        top_bytes = os.fsencode(top)
        for start, name, flags, extended in entries:
            if under and not name.startswith(under):
                continue
            if flags & 0xB000 or extended:
                return None  # assumed unchanged, unmerged, or extended (intent-to-add, skip-worktree)
            (ctime, ctime_ns, mtime, mtime_ns, device, inode, mode, uid, gid,
             size) = _STAT_DATA.unpack_from(data, start)
            if mode == _GITLINK or mtime >= index_seconds:
                return None  # a submodule's state, or a file written as the index was: git looks inside
            found = os.lstat(os.path.join(top_bytes, name))
            if (found.st_ctime_ns // 1_000_000_000 & 0xFFFFFFFF, found.st_ctime_ns % 1_000_000_000,
                    found.st_mtime_ns // 1_000_000_000 & 0xFFFFFFFF, found.st_mtime_ns % 1_000_000_000,
                    found.st_dev & 0xFFFFFFFF, found.st_ino & 0xFFFFFFFF, _index_mode(found.st_mode),
                    found.st_uid & 0xFFFFFFFF, found.st_gid & 0xFFFFFFFF, found.st_size & 0xFFFFFFFF) != (
                    ctime, ctime_ns, mtime, mtime_ns, device, inode, mode, uid, gid, size):
                return None
        cached_tree = None
        for signature, extension in entries.extensions():  # (a split or sparse index: _Unread)
            if signature == b"TREE":
                cached_tree = _top_tree(extension)
    except (OSError, _Unread, struct.error, ValueError, IndexError):
        return None
    return cached_tree is not None and cached_tree == head_tree(git_dir) or None


def _index_mode(st_mode: int) -> int:
    """The mode git notes for a file of this lstat mode (create_ce_mode); 0 for what it does not track."""
    if stat.S_ISLNK(st_mode):
        return 0o120000
    if stat.S_ISREG(st_mode):
        return 0o100755 if st_mode & 0o100 else 0o100644
    return 0


def _top_tree(extension: bytes) -> bytes | None:
    """The work tree's tree id from the index's TREE extension; None when it is not valid
    (an entry count of -1: something changed since it was computed)."""
    path_end = extension.index(b"\0")
    if path_end != 0:
        return None
    line_end = extension.index(b"\n", path_end)
    count = int(extension[path_end + 1:line_end].split(b" ")[0])
    return extension[line_end + 1:line_end + 21] if count >= 0 and len(extension) >= line_end + 21 else None


def _sha1(data: bytes | memoryview) -> bytes:
    # CPython's own SHA-1, not hashlib's: that one loads OpenSSL, 3 to 7 ms and about 4 MB more
    # in each worker; this one hashes a monorepo's megabyte index in a few milliseconds.
    try:
        from _sha1 import sha1
    except ImportError:
        from hashlib import sha1
    return sha1(data).digest()


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """git's offset varint (varint.c): the value and the position after it."""
    byte = data[position]
    position += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[position]
        position += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, position
