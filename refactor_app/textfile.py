"""Reading and re-encoding plain text files without changing their conventions.

A text file keeps its encoding, byte-order mark and line endings: edits work on ``str`` and
`encode` turns the result back into the bytes the file would have had if a person using the
same editor had typed the change.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

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


def read_bytes(path: Path, display_path: str) -> bytes | None:
    """The file's bytes, None when it does not exist, a plain error when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise RefactorError(f"{display_path} is a folder, not a file; rename it and run again.") from None
    except PermissionError:
        raise RefactorError(
            f"cannot read {display_path}: permission denied; make it readable (chmod u+r) and run again."
        ) from None
    except OSError as exc:
        raise RefactorError(f"cannot read {display_path}: {exc.strerror}; fix it and run again.") from None


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
