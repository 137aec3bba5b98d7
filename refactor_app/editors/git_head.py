"""The id of the tree HEAD's commit holds, read from a plain repository's files without starting
git (see git_direct.py for which repositories are plain): HEAD, the branch it names (a loose
ref or packed-refs), and the commit object, loose or whole in a pack (idx version 2).

Anything else answers None and git is asked: a symbolic ref past HEAD, an unborn branch, a
commit stored as a delta or only in an alternate object store, replace refs or grafts (git
would read another commit), an id this module cannot find. Each object read is checked against
its id (SHA-1 of the object), so a damaged file gives None, never a wrong tree.
"""

from __future__ import annotations

import mmap
import os
import re
import zlib

from refactor_app.editors.git_direct import _sha1  # CPython's own SHA-1: no OpenSSL to load

_HEX_ID = re.compile(rb"[0-9a-f]{40}")
_PACK_COMMIT = 1  # a pack entry's type: 1 commit (2 tree, 3 blob, 4 tag, 6 and 7 deltas)
_IDX_MAGIC = b"\xfftOc"


def head_tree(git_dir: str) -> bytes | None:
    """The 20-byte id of the tree of HEAD's commit; None when git has to be asked."""
    packed = _packed_refs(git_dir)  # read once: for replace refs, and for HEAD's branch if packed
    if packed is None or _replaced(git_dir, packed):
        return None
    commit_id = _head_commit(git_dir, packed)
    if commit_id is None:
        return None
    body = _read_commit(git_dir, commit_id)
    if body is None or not body.startswith(b"tree ") or body[45:46] != b"\n" or not _HEX_ID.fullmatch(body[5:45]):
        return None
    return bytes.fromhex(body[5:45].decode("ascii"))


def _replaced(git_dir: str, packed: bytes) -> bool:
    """Could git read another commit than HEAD names (replace refs, grafts)?"""
    if os.path.exists(os.path.join(git_dir, "info", "grafts")):
        return True
    try:
        if os.listdir(os.path.join(git_dir, "refs", "replace")):
            return True
    except FileNotFoundError:
        pass
    except OSError:
        return True
    return b" refs/replace/" in packed


def _head_commit(git_dir: str, packed: bytes) -> str | None:
    """The commit id HEAD names (hex), through one branch at most (`packed`: packed-refs' text)."""
    head = _read_small(os.path.join(git_dir, "HEAD"))
    if head is None:
        return None
    if _HEX_ID.fullmatch(head.strip()):
        return head.strip().decode("ascii")  # detached
    if not head.startswith(b"ref: refs/heads/") or not head.endswith(b"\n") or head.count(b"\n") != 1:
        return None
    name = head[len(b"ref: "):-1]
    if b"\\" in name or any(part in (b"", b".", b"..") for part in name.split(b"/")):
        return None
    loose = _read_small(os.path.join(git_dir, os.fsdecode(name)))
    if loose is not None:
        value = loose.strip()
        return value.decode("ascii") if _HEX_ID.fullmatch(value) else None  # a symbolic ref: git decides
    for line in packed.splitlines():
        if line.endswith(b" " + name) and _HEX_ID.fullmatch(line[:40]) and len(line) == 41 + len(name):
            return line[:40].decode("ascii")
    return None  # unborn: git says what that means


def _packed_refs(git_dir: str) -> bytes | None:
    """packed-refs' text (b"" when there is none); None when it cannot be read."""
    try:
        with open(os.path.join(git_dir, "packed-refs"), "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""
    except OSError:
        return None


def _read_small(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(4096)
    except OSError:
        return None


def _read_commit(git_dir: str, commit_id: str) -> bytes | None:
    """The commit's body (after its header), checked against its id; None when not found whole."""
    objects = os.path.join(git_dir, "objects")
    try:
        with open(os.path.join(objects, commit_id[:2], commit_id[2:]), "rb") as handle:
            stored = zlib.decompress(handle.read())
    except FileNotFoundError:
        stored = _packed_commit(objects, bytes.fromhex(commit_id))
    except (OSError, zlib.error):
        return None
    if stored is None:
        return None
    header, nul, body = stored.partition(b"\0")
    if not nul or header != b"commit %d" % len(body) or _sha1(stored) != bytes.fromhex(commit_id):
        return None
    return body


def _packed_commit(objects: str, object_id: bytes) -> bytes | None:
    """The commit stored whole in one of the packs, with its loose-object header; None otherwise."""
    folder = os.path.join(objects, "pack")
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".idx"))
    except OSError:  # no pack folder (or an unreadable one)
        return None
    for name in names:
        offset = _offset_in(os.path.join(folder, name), object_id)
        if offset is not None:
            return _pack_entry(os.path.join(folder, name[:-4] + ".pack"), offset)
    return None


def _offset_in(idx_path: str, object_id: bytes) -> int | None:
    """Where a version 2 pack index places the object in its pack; None if absent or unread."""
    try:
        with open(idx_path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data[:8] != _IDX_MAGIC + b"\0\0\0\2" or len(data) < 8 + 1024 + 40:
                return None
            first = object_id[0]
            low = int.from_bytes(data[8 + 4 * (first - 1):8 + 4 * first], "big") if first else 0
            high = int.from_bytes(data[8 + 4 * first:12 + 4 * first], "big")
            count = int.from_bytes(data[8 + 1020:8 + 1024], "big")
            ids_at = 8 + 1024
            while low < high:
                middle = (low + high) // 2
                found = data[ids_at + 20 * middle:ids_at + 20 * middle + 20]
                if found == object_id:
                    small_at = ids_at + 24 * count + 4 * middle  # after the ids and their CRCs
                    offset = int.from_bytes(data[small_at:small_at + 4], "big")
                    if offset & 0x80000000:  # in the table of large offsets
                        large_at = ids_at + 28 * count + 8 * (offset & 0x7FFFFFFF)
                        offset = int.from_bytes(data[large_at:large_at + 8], "big")
                    return offset
                if found < object_id:
                    low = middle + 1
                else:
                    high = middle
    except (OSError, ValueError):
        return None
    return None


def _pack_entry(pack_path: str, offset: int) -> bytes | None:
    """The commit at `offset` in the pack, with a loose object's header; None unless it is a
    commit stored whole (not a delta)."""
    try:
        with open(pack_path, "rb") as handle:
            handle.seek(offset)
            head = handle.read(16)
            kind, size, used = (head[0] >> 4) & 7, head[0] & 0x0F, 1
            shift = 4
            while head[used - 1] & 0x80:
                size |= (head[used] & 0x7F) << shift
                shift += 7
                used += 1
            if kind != _PACK_COMMIT or size > 1 << 24:
                return None
            handle.seek(offset + used)
            inflater = zlib.decompressobj()
            body = bytearray()
            while not inflater.eof:
                chunk = handle.read(8192)
                if not chunk or len(body) > size:
                    return None
                body += inflater.decompress(chunk)
    except (OSError, IndexError, zlib.error):
        return None
    if len(body) != size:
        return None
    return b"commit %d\0" % size + body

