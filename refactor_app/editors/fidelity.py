"""The last check on a rewritten settings module, in the spirit of black's `--safe`: every line
outside the statements the steps own comes out unchanged.

libcst does not round-trip everything: indented comments after a module's last statement
(`X = 1\\n\\n    # a\\n    # b\\n`) lose lines in its tree, and a module printed from that tree
would drop them silently. The steps may rewrite only module-level assignments to the settings
they read (and add lines anywhere); any other line of the original that does not survive,
comment, blank line or statement, means the file is refused, not written.
"""

from __future__ import annotations

import ast
import codecs
from typing import Iterable


def lines_lost(before: bytes, after: bytes, owned: Iterable[str], tree: ast.Module | None = None) -> list[int]:
    """The 1-based lines of `before` that are not kept, unchanged and in order, in `after`,
    other than lines of a module-level assignment to an `owned` name. `tree`: `ast.parse`
    of `before` (or of its first lines), if made already. Empty when `before` does not parse
    with this Python (its syntax is newer): nothing to compare against then."""
    if tree is None:
        try:
            tree = ast.parse(before)
        except (SyntaxError, ValueError):
            return []
    owned = frozenset(owned)
    owned_lines: set[int] = set()
    for statement in tree.body:
        if owned & _assigned(statement):
            owned_lines.update(range(statement.lineno, statement.end_lineno + 1))
    # Lines without their endings: a last line that gains one when a step appends after it
    # is the same line (line endings have checks of their own). The byte-order mark belongs
    # to the file, not its first line (an import may go above it).
    old, new = _without_bom(before).splitlines(), _without_bom(after).splitlines()
    # Each line the steps do not own must come next in `after`, in order; the lines between
    # are the steps' (a greedy search finds a subsequence whenever there is one).
    lost, position = [], 0
    for number, line in enumerate(old, 1):
        if number in owned_lines or line.strip() == b"\\":  # a bare backslash line says nothing
            continue
        try:
            position = new.index(line, position) + 1
        except ValueError:
            lost.append(number)
    return lost


def _assigned(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    else:
        return set()
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}



def _without_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
