"""Writing for people: rich (tables, colour) on a terminal, plain lines in pipes and logs.

rich is imported only for a terminal, so scripted and CI runs do not pay for it.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property


class Output:
    def __init__(self, stderr: bool = False) -> None:
        self.stream = sys.stderr if stderr else sys.stdout
        self.is_stderr = stderr

    @cached_property
    def is_terminal(self) -> bool:
        if os.environ.get("FORCE_COLOR"):
            return True
        try:
            return self.stream.isatty() and os.environ.get("TERM") != "dumb"
        except (AttributeError, ValueError):
            return False

    @property
    def colour(self) -> bool:
        return self.is_terminal and "NO_COLOR" not in os.environ

    @cached_property
    def console(self):
        from rich.console import Console

        return Console(stderr=self.is_stderr, highlight=False, soft_wrap=True)

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        """Text out; surrogate escapes (a diff of a latin-1 file) go out as their original bytes."""
        buffer = getattr(self.stream, "buffer", None)
        self.stream.flush()
        if buffer is not None:
            buffer.write(text.encode("utf-8", "surrogateescape"))
            buffer.flush()
        else:
            self.stream.write(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
            self.stream.flush()
