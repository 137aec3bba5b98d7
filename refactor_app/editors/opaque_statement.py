"""OpaqueStatement: a module-level statement kept as its source text, for the partial parse
(editors/settings.py, `parse_settings`).

libcst has no public way to define a node: a CSTNode subclass implements its private hooks
(`_visit_and_replace_children`, `_codegen_impl`) with helpers from `libcst._nodes.internal`.
This module is the only place in the package that uses libcst's private API
(tests/test_libcst_range.py holds that), and pyproject.toml states the libcst versions it is
tested with: .ci/libcst-range runs the libcst tests on the lowest, the suite on the newest.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState, visit_sequence


@dataclass(frozen=True)
class OpaqueStatement(cst.BaseStatement):
    """A module-level statement kept as its source text (see editors/settings.py, parse_settings).

    Building libcst nodes is most of a parse's cost, and a settings module is mostly
    MIDDLEWARE, TEMPLATES, AUTH_PASSWORD_VALIDATORS and the like, which no step looks into.
    As text they print back byte for byte and never match the isinstance checks the editors
    make, so the steps see the same module as with a full parse. A plain assignment is
    still found by name (`assigns`) and parsed when a step reads it (`parsed`)."""

    leading_lines: Sequence[cst.EmptyLine] = ()
    text: str = ""  # its lines, without the last line's ending
    newline: str | None = None  # the last line's ending; None when the file ends without one
    # For `NAME = value` (or `NAME: T = value`) alone on its lines: NAME. The assignment is
    # found by name like any other, and parsed only when a step looks at it (`parsed`).
    assigns: str | None = None
    # The module it was read from, to parse it as that module would (its parser config is
    # made only then: making one costs as much as a short statement's parse).
    origin: cst.Module | None = None

    def _visit_and_replace_children(self, visitor: cst.CSTVisitorT) -> OpaqueStatement:
        return OpaqueStatement(
            leading_lines=visit_sequence(self, "leading_lines", self.leading_lines, visitor),
            text=self.text, newline=self.newline, assigns=self.assigns, origin=self.origin,
        )

    @functools.cached_property
    def parsed(self) -> cst.BaseStatement:
        """The statement as a full parse of the module would have made it."""
        config = self.origin.config_for_parsing
        default = config.default_newline
        newline = self.newline if self.newline is not None else default
        # libcst takes the newline it leaves implicit from the first line: make it the module's.
        module = cst.parse_module("#" + default + self.text + newline, config=config)
        statement = module.body[0]
        # The comment lines above it are its own (libcst files them under a module's header).
        leading = [*module.header, *statement.leading_lines][1:]
        return statement.with_changes(leading_lines=[*self.leading_lines, *leading])

    def _codegen_impl(self, state: CodegenState) -> None:
        for line in self.leading_lines:
            line._codegen(state)
        state.add_token(self.text)
        # A token of its own: the module drops it when this is the file's last line and the
        # file has no final newline.
        state.add_token(self.newline if self.newline is not None else state.default_newline)
