"""The project's files held in memory while steps edit them.

Each file is read once, on first use. Steps change the in-memory copies (the settings modules
as libcst trees, the other files as text); nothing reaches the disk until `api.apply`.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple

import libcst as cst

from refactor_app.editors import settings as settings_editor
from refactor_app.editors.git import EarlyAnswers, FolderState, GitRepository
from refactor_app.errors import RefactorError
from refactor_app.plan import FileEdit, GitRemoval
from refactor_app.project import Project
from refactor_app.textfile import TextFormat, decode, is_regular_file, read_bytes, real_path


@dataclass
class TextDocument:
    """A plain text file: `text` is edited, `format` turns it back into the file's own bytes."""

    path: Path
    display_path: str
    original: bytes | None
    text: str
    format: TextFormat

    @property
    def exists(self) -> bool:
        return self.original is not None

    def current_bytes(self) -> bytes | None:
        if self.original is not None and self.text == self._original_text:
            return self.original
        if self.original is None and self.text == "":
            return None
        return self.format.encode(self.text)

    def __post_init__(self) -> None:
        self._original_text = self.text

    def state(self) -> str:
        return self.text

    def set_state(self, state: str) -> None:
        self.text = state

    def original_state(self) -> str:
        return self._original_text

    def render(self, text: str) -> bytes | None:
        if text == self._original_text:
            return self.original
        return self.format.encode(text)


@dataclass
class SettingsModule:
    """A settings module as a libcst tree; libcst keeps its encoding, BOM and line endings."""

    path: Path
    display_path: str
    original: bytes
    module: cst.Module
    parsed_for: frozenset[str] | None = None  # the settings the steps read; None: every statement is a node
    pieces: settings_editor.SourcePieces | None = None  # the source of each statement, to print unchanged ones
    tail: bytes = b""  # trailing comment lines libcst would lose, printed after the module as they are

    def __post_init__(self) -> None:
        self._parsed = self.module
        self._rendered = (self.module, self.original)
        self._index: tuple = (None, {}, [])
        self._blocks: tuple = (None, (frozenset(), ()))

    def state(self) -> cst.Module:
        return self.module

    def set_state(self, state: cst.Module) -> None:
        self.module = state

    def assignments(self, name: str) -> list[settings_editor.Assignment]:
        """Module-level assignments to `name`; indexed once per version of the tree."""
        if self.parsed_for is not None and name and name not in self.parsed_for:
            # Statements that set other names may be text only (editors.settings.parse_settings).
            raise AssertionError(
                f"{name} is not among the settings this module was parsed for; add it to the step's reads"
            )
        if self._index[0] is not self.module:
            self._index = (self.module, settings_editor.assignment_index(self.module),
                           list(settings_editor.star_imports(self.module)))
        return self._index[1].get(name, [])

    def star_imports(self) -> list[tuple[int, str]]:
        self.assignments("")
        return self._index[2]

    def block_contents(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Names assigned and modules star-imported inside module-level blocks (once per tree)."""
        if self._blocks[0] is not self.module:
            self._blocks = (self.module, settings_editor.block_contents(self.module))
        return self._blocks[1]

    @functools.cached_property
    def syntax_tree(self) -> ast.Module | None:
        """Python's parse of the file as read (None if Python cannot parse it)."""
        tree = self.pieces.syntax if self.pieces is not None else None
        if tree is None:
            try:
                tree = ast.parse(self.original)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = None
        return tree

    @functools.cached_property
    def environment_readers(self) -> settings_editor.Readers:
        """Its own helpers that read the environment, and the standard readers under its names
        for them (from the file as read: steps never edit a function or an import's name)."""
        return settings_editor.environment_readers(self.syntax_tree)

    @functools.cached_property
    def reader_bindings(self) -> list[settings_editor.ReaderBinding]:
        """python-decouple's config and django-environ Envs it binds at module level (from the
        file as read): what new environment reads may be written with (steps/base.environment_writer)."""
        return settings_editor.reader_bindings(self.syntax_tree)

    def python_statements(self) -> list[tuple[tuple[ast.stmt, ...], str | None]] | None:
        """Python's parse of the module as the steps have it now, a statement at a time
        (editors.settings.python_statements); None when only a parse of its bytes can tell."""
        if self.module.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return None  # readers decode as UTF-8; the file as read was parsed in its own encoding
        return settings_editor.python_statements(self.module, self.pieces)

    def original_state(self) -> cst.Module:
        return self._parsed

    def render(self, module: cst.Module) -> bytes:
        if module is self._parsed:
            return self.original
        if module is self._rendered[0]:
            return self._rendered[1]
        return self._print(module)

    def current_bytes(self) -> bytes:
        # Rendering costs up to a millisecond; do it only when a step replaced the tree.
        if self._rendered[0] is not self.module:
            self._rendered = (self.module, self._print(self.module))
        return self._rendered[1]

    def _print(self, module: cst.Module) -> bytes:
        data = settings_editor.render(module, self.pieces)
        body = self.original[: len(self.original) - len(self.tail)]
        if body.endswith(b"\r") and not data.endswith((b"\r", b"\n")):
            data += b"\r"  # libcst drops the last line ending of an old Mac (lone CR) file
        return data + self.tail


class SettingRef(NamedTuple):
    """Where a setting takes its final value: the last module-level assignment in import order."""

    settings: SettingsModule
    assignment: settings_editor.Assignment

    @property
    def value(self) -> cst.BaseExpression:
        return self.assignment.value

    def replace_value(self, value: cst.BaseExpression) -> None:
        self.settings.module = settings_editor.replace_value(self.settings.module, self.assignment, value)


class Workspace:
    def __init__(self, project: Project, settings_read: frozenset[str] | None = None,
                 early_git: EarlyAnswers | None = None, in_fleet: bool = False, tree: str | None = None) -> None:
        """`settings_read`: the settings the steps will look up, so that statements about
        anything else need not become libcst nodes; None parses every statement.
        `early_git`: git's answers, asked for before the workspace was made. `in_fleet`: one
        project of many; git is asked only what the plan needs (see api.make_plan). `tree`: what
        the run knows of the repository's tracked files (see api.make_plan)."""
        self.project = project
        self._stored_paths: dict[Path, str | None] = {}  # a linked file's target, as git tracks it
        self.in_fleet = in_fleet
        self.tree = tree
        self.boundary = project.limits  # every file read for editing (so written) must resolve inside it
        self.early_git = early_git
        self.settings_read = settings_read
        self._texts: dict[Path, TextDocument] = {}
        self._settings: dict[Path, SettingsModule] = {}
        self._imports: dict[tuple[Path, str], Path | None] = {}
        self._git: GitRepository | None = None
        self._git_opened = False
        self.removals: list[GitRemoval] = []
        self.warnings: list[str] = []  # what the user must act on beyond the edits
        self.steps_in_run: frozenset[str] = frozenset()  # the steps this plan runs (make_plan sets it)

    # --- plain text files ------------------------------------------------------------------

    def text(self, path: Path) -> TextDocument:
        """The file as text; a missing file is an empty document that is created if edited."""
        if path not in self._texts:
            display = self.project.display(path)
            data = read_bytes(path, display, self.boundary)
            if data is None:
                document = TextDocument(path, display, None, "", TextFormat())
            else:
                text, text_format = decode(data, display)
                document = TextDocument(path, display, data, text, text_format)
            self._texts[path] = document
        return self._texts[path]

    # --- settings modules ------------------------------------------------------------------

    def loaded_settings(self) -> list[SettingsModule]:
        """The settings modules in use (the entries and what they star-import), loaded."""
        for entry in self.project.settings_paths:
            self.find_setting("", entry)  # loads the entry and its star imports
        return list(self._settings.values())

    def settings_modules(self) -> dict[Path, SettingsModule]:
        """The settings modules read so far."""
        return dict(self._settings)

    def settings_module(self, path: Path) -> SettingsModule:
        """A settings module (parsed on first use)."""
        return self._load_settings(path)

    def _load_settings(self, path: Path) -> SettingsModule:
        if path not in self._settings:
            display = self.project.display(path)
            data = read_bytes(path, display, self.boundary)
            if data is None:
                raise RefactorError(f"{display} does not exist; pass --settings path/to/settings.py.")
            body, tail = settings_editor.split_trailing_comments(data)
            module, pieces = settings_editor.parse_settings(body, display, self.settings_read)
            self._settings[path] = SettingsModule(path, display, data, module, self.settings_read, pieces, tail)
        return self._settings[path]

    def _resolve_import(self, importer: Path, dotted: str) -> Path | None:
        key = (importer, dotted)
        if key not in self._imports:  # asked once per setting looked up: stat the files once
            self._imports[key] = self._find_import(importer, dotted)
        return self._imports[key]

    def _find_import(self, importer: Path, dotted: str) -> Path | None:
        if not dotted.startswith("."):
            return self.project.module_path(dotted)
        level = len(dotted) - len(dotted.lstrip("."))
        package = importer.parent
        for _ in range(level - 1):
            package = package.parent
        base = package.joinpath(*dotted.lstrip(".").split(".")) if dotted.lstrip(".") else package
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            shown = self.project.display(candidate)
            if is_regular_file(candidate, shown):
                if not self.boundary.contains_name(candidate):  # climbs out of it, links aside
                    raise RefactorError(
                        f"{self.project.display(importer)} star-imports {dotted}, which is "
                        f"{os.path.realpath(candidate)}, outside {self.boundary.name}; refactor-app edits only "
                        "files inside it: import a module inside the repository instead and run again."
                    )
                self.boundary.check(candidate, shown)
                return candidate.resolve()
        return None

    def module_file(self, importer: Path, dotted: str) -> Path | None:
        """The project's file for `dotted` (relative to `importer` when it starts with dots), or None."""
        return self._resolve_import(importer, dotted)

    def star_imported(self, settings: SettingsModule) -> list[SettingsModule]:
        """The settings modules `settings` star-imports at module level, found and loaded."""
        found = []
        for _, dotted in settings.star_imports():
            path = self._resolve_import(settings.path, dotted)
            if path is not None:
                found.append(self._load_settings(path))
        return found

    def find_setting(self, name: str, entry: Path | None = None) -> SettingRef | None:
        """The assignment that gives `name` its final value when `entry` (by default the settings
        module manage.py names) is loaded, following `from X import *`."""
        found: SettingRef | None = None
        for settings, assignment in self._assignments_in_order(entry or self.project.settings_path, name, set()):
            found = SettingRef(settings, assignment)
        return found

    def assignments_before(self, name: str, ref: SettingRef, entry: Path) -> list[SettingRef]:
        """The assignments of `name` that run before `ref` (one of it) when `entry` is loaded, following
        `from X import *`: what the name holds where `ref`'s value reads it (`SECRET_KEY =
        os.environ.get('KEY', SECRET_KEY)` over a star-imported base's literal)."""
        before = []
        for settings, assignment in self._assignments_in_order(entry, name, set()):
            if settings.path == ref.settings.path and assignment.index == ref.assignment.index:
                return before
            before.append(SettingRef(settings, assignment))
        return []

    def find_settings(self, name: str) -> list[SettingRef]:
        """The final assignment of `name` for each settings module in use (manage.py's, and
        wsgi.py's or asgi.py's when they name another), each place once."""
        found: dict[tuple[Path, int, int], SettingRef] = {}
        for entry in self.project.settings_paths:
            ref = self.find_setting(name, entry)
            if ref is not None:
                key = (ref.settings.path, ref.assignment.index, ref.assignment.small_index)
                found.setdefault(key, ref)
        # Last statement first: an edit that adds statements must not move one still to edit.
        return sorted(found.values(), key=lambda ref: (str(ref.settings.path), -ref.assignment.index))

    def _assignments_in_order(
        self, path: Path, name: str, seen: set[Path]
    ) -> Iterator[tuple[SettingsModule, settings_editor.Assignment]]:
        seen.add(path)
        settings = self._load_settings(path)
        imports = dict(settings.star_imports())
        assignments = {a.index: a for a in settings.assignments(name)}
        for index in sorted(imports.keys() | assignments.keys()):
            if index in imports:
                imported = self._resolve_import(path, imports[index])
                if imported is not None and imported not in seen:
                    yield from self._assignments_in_order(imported, name, seen)
            if index in assignments:
                yield settings, assignments[index]

    # --- git ---------------------------------------------------------------------------------

    @property
    def git(self) -> GitRepository | None:
        if not self._git_opened:
            if self.early_git is not None:
                self.early_git.wait()  # its `git rev-parse` is then remembered
            self._git = GitRepository.open(self.project.root)
            self._git_opened = True
        return self._git

    def folder_state(self, folder: str) -> FolderState:
        """What git says about a project folder (the repository must exist: see `git`)."""
        early = self.early_git.folder_state(folder) if self.early_git is not None else None
        if early is not None:
            return early
        if self.in_fleet:  # whether git ignores the folder only spares a pathspec import: not asked
            changes = {"clean": "none", "read-only": "shared"}.get(self.tree or "", "ask")
            return self.git.folder_state(folder, probe_ignored=False, changes=changes)
        return self.git.folder_state(folder)

    # --- what changed --------------------------------------------------------------------------

    def documents(self) -> Iterator[TextDocument | SettingsModule]:
        yield from self._settings.values()
        yield from self._texts.values()

    def snapshot(self) -> dict[Path, object]:
        """Each document's state now, cheaply: a libcst tree (never re-rendered) or a text."""
        return {document.path: document.state() for document in self.documents()}

    def restore(self, snapshot: dict[Path, object]) -> None:
        """Put every document back as it was at `snapshot`: a step that declines changes nothing."""
        for document in self.documents():
            document.set_state(snapshot.get(document.path, document.original_state()))

    def edits_since(self, snapshot: dict[Path, object]) -> list[FileEdit]:
        """The files a step changed since `snapshot`, rendered only when looked at."""
        edits = []
        for document in self.documents():
            before_state = snapshot.get(document.path, _UNREAD)
            after_state = document.state()
            if before_state is _UNREAD:
                before_state = document.original_state()
            if after_state is before_state or after_state == before_state:
                continue
            edits.append(FileEdit(
                document.path, document.display_path,
                functools.partial(document.render, before_state), functools.partial(document.render, after_state),
                _encoding(document), self._stored_path(document),
            ))
        return edits

    def final_edits(self) -> list[FileEdit]:
        """Every file whose bytes differ from the disk's, rendered once."""
        edits = []
        for document in self.documents():
            after = document.current_bytes()
            if after is not None and after != document.original:
                edits.append(FileEdit(document.path, document.display_path, document.original, after, _encoding(document),
                                      self._stored_path(document)))
        return edits

    def _stored_path(self, document: TextDocument | SettingsModule) -> str | None:
        """The file a link in the project points to, relative to the project, where git tracks what
        is written (a link is written through); None when the path is the file itself, or its
        target is outside the project (the link's own name is then all a diff can show)."""
        if document.path in self._stored_paths:
            return self._stored_paths[document.path]
        stored = None
        real = real_path(document.path)
        if real != os.fspath(document.path):
            root = real_path(self.project.root)
            if real.startswith(root + os.sep):
                stored = Path(real[len(root) + 1:]).as_posix()
        self._stored_paths[document.path] = stored
        return stored


_UNREAD = object()  # a document first read after the snapshot: its "before" is the file on disk


def _encoding(document: TextDocument | SettingsModule) -> str:
    if isinstance(document, SettingsModule):
        return document.module.encoding
    return document.format.encoding
