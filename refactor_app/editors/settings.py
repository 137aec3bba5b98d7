"""libcst helpers for Django settings modules: find, replace and insert module-level settings.

Only module-level statements are touched, and each edit replaces just the node it means to
change, so comments, blank lines and formatting elsewhere come out byte for byte.

`parse_settings` builds libcst nodes only for what the steps can read (most of a settings
module, MIDDLEWARE or TEMPLATES, stays text), and `render` prints an edited module by copying
the statements the steps left alone from the source: the same bytes as a full parse and
libcst's codegen, for a third of the cost (tests/test_partial_parse.py holds that contract).
"""

from __future__ import annotations

import ast
import codecs
import functools
import re
import tokenize
import unicodedata
from typing import Iterator, NamedTuple, Sequence

import libcst as cst

from refactor_app.editors.opaque_statement import OpaqueStatement
from refactor_app.errors import RefactorError


class Assignment(NamedTuple):
    """A module-level `NAME = value` (or `NAME: type = value`): body[index].body[small_index]."""

    index: int
    small_index: int
    found_in: cst.Assign | cst.AnnAssign | OpaqueStatement

    @property
    def value(self) -> cst.BaseExpression:
        found_in = self.found_in
        if type(found_in) is OpaqueStatement:  # exact: isinstance on a libcst class goes through ABCMeta
            found_in = found_in.parsed.body[0]
        return found_in.value


def parse_module(source: bytes, display_path: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except SyntaxError as exc:  # from the encoding detection: a bad or missing coding declaration
        raise RefactorError(
            f"{display_path} cannot be decoded ({exc.msg}); save it as UTF-8 or fix its "
            "# -*- coding: ... -*- line, and run again."
        ) from None
    except cst.ParserSyntaxError as exc:
        # Python's own parser names the line a person would look at; libcst's points past it.
        try:
            compile(source, display_path, "exec", dont_inherit=True)
        except SyntaxError as python_error:
            where = f"line {python_error.lineno}" + (f" ({python_error.msg})" if python_error.msg else "")
        else:
            raise RefactorError(
                f"{display_path}: Python accepts line {exc.raw_line} but libcst cannot parse it; "
                "upgrade libcst (pip install -U libcst) and run again."
            ) from None
        raise RefactorError(
            f"{display_path} has a syntax error at {where}; "
            f"fix it (python -m py_compile {display_path} shows it) and run again."
        ) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise RefactorError(
            f"{display_path} cannot be decoded ({exc}); fix its encoding declaration and run again."
        ) from None


_TAIL_LINE = re.compile(rb"[ \t\f]*(#[^\r\n]*)?(\r\n|\r|\n)?\Z")
_INDENTED_COMMENT = re.compile(rb"[ \t\f]+#")


def split_trailing_comments(source: bytes) -> tuple[bytes, bytes]:
    """(the module, its tail): the blank and comment lines after the last statement, when one
    of them is an indented comment. libcst loses lines of such a tail (`X = 1\n\n    # a\n`
    parses and prints back as `X = 1\n    # a\n`), so it is kept as bytes and printed after
    the module; statements the steps append go above it. Otherwise the tail is empty."""
    lines = source.splitlines(keepends=True)
    start = len(lines)
    while start > 0 and _TAIL_LINE.match(lines[start - 1]):
        start -= 1
    tail = lines[start:]
    if start == 0 or not any(_INDENTED_COMMENT.match(line) for line in tail):
        return source, b""
    if not lines[start - 1].endswith((b"\n", b"\r")) or lines[start - 1].rstrip(b"\r\n").endswith(b"\\"):
        return source, b""  # (a continued last line: leave it whole to the parser)
    return b"".join(lines[:start]), b"".join(tail)


# --- parsing only what the steps read ------------------------------------------------------

_MARKER = "__refactor_app_opaque__"
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_KEEP_TYPES = (ast.Import, ast.ImportFrom)
_SKIP_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # the editors never look inside


class SourcePieces(NamedTuple):
    """The bytes each top-level statement of a parsed module came from (its leading lines
    included), and those of the module's header and footer: an unchanged statement prints as
    these, so printing an edited module generates code only for what the steps changed."""

    module: cst.Module  # as parsed
    header: bytes
    footer: bytes
    statements: dict[int, tuple[cst.BaseStatement, bytes]]  # id(statement) -> (statement, bytes)
    syntax: ast.Module | None = None  # Python's own parse of the same source (the last check reuses it)
    nodes: dict[int, tuple[ast.stmt, ...]] | None = None  # id(statement) -> its part of `syntax`


def parse_settings(
    source: bytes, display_path: str, names: frozenset[str] | None
) -> tuple[cst.Module, SourcePieces | None]:
    """The settings module as libcst parses it, except that module-level statements which
    cannot matter to a step reading only the settings `names` are OpaqueStatements; and the
    source's pieces, for `render`.

    Kept as nodes: imports, the docstring, every statement whose text mentions one of
    `names` (assigned, added to or tested in an if/try block), and, transitively, the
    assignments of every name those statements use (a value may read the environment
    through another setting); a `NAME = value` spanning several lines is text until a step
    reads it. `names=None`, or anything unexpected (a BOM, a syntax error), parses it all."""
    tree = python_tree(source, display_path)  # before libcst sees the source
    if names is not None and tree is not None:
        parsed = _parse_skeleton(source, names, tree)
        if parsed is not None:
            return parsed
    return parse_module(source, display_path), None


# What Python's parser says of nesting deeper than it (or any parser) can take. libcst's native
# parser crashes the process (a segfault) on some of it, ~2,000 nested brackets or ~20,000
# unary minus signs; wherever Python's accepts (under 200 brackets, some 2,500 nested operators
# of any kind), libcst's has held.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too many statically nested blocks")


def python_tree(source: bytes, display_path: str) -> ast.Module | None:
    """Python's own parse of a settings module (the skeleton is chosen from it), or None when
    Python finds a syntax error (the full parse reports it, as it always has). A module nested
    too deeply for Python's parser never reaches libcst: a RefactorError naming the line."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        if not (isinstance(exc, SyntaxError) and exc.msg.startswith(_TOO_DEEP)):
            return None
        line = exc.lineno or _first_too_deep_line(source)
    except (RecursionError, MemoryError):  # Python's limit on its own stack, not a lack of memory
        line = _first_too_deep_line(source)
    raise RefactorError(
        f"{display_path} is too deeply nested at line {line} for Python's parser (Django could not "
        "import it either); write that expression with fewer nested levels and run again."
    )


def _first_too_deep_line(source: bytes) -> int:
    """The line where Python's parser gives up: the shortest run of first lines it gives up on."""
    lines = source.splitlines(keepends=True)
    fits, fails = 0, len(lines)
    while fails - fits > 1:
        middle = (fits + fails) // 2
        try:
            ast.parse(b"".join(lines[:middle]))
        except (RecursionError, MemoryError):
            fails = middle
        except Exception:  # noqa: BLE001 - an unfinished statement: not where it gives up
            fits = middle
        else:
            fits = middle
    return fails


def _prints_from(module: cst.Module, pieces: SourcePieces | None) -> bool:
    """Can `module` be printed statement by statement, unchanged ones from the source?"""
    return (
        pieces is not None
        and module.has_trailing_newline  # the last statement's newline is dropped: let libcst do it
        and module.header is pieces.module.header
        and module.footer is pieces.module.footer
    )


def render(module: cst.Module, pieces: SourcePieces | None) -> bytes:
    """`module.bytes`, with every statement still as parsed copied from the source."""
    if not _prints_from(module, pieces):
        return module.bytes
    out = [pieces.header]
    for statement in module.body:
        known = pieces.statements.get(id(statement))
        if known is not None and known[0] is statement:
            out.append(known[1])
        else:
            out.append(_generated(module, statement).encode(module.encoding))
    out.append(pieces.footer)
    return b"".join(out)


# Caches of what a node gives, by its id: nodes never change, and a fleet's projects share most of
# theirs (_parse_chunks). Each entry's first item is the node itself, which keeps its id from being
# reused while the entry lives; a cache holds 256 entries at most.
def _keep_for_node(cache: dict, node: cst.CSTNode, value: tuple, key=None) -> None:
    """Remember `value` (whose first item is `node`) under `key`, by default id(node)."""
    if len(cache) > 256:
        cache.clear()
    cache[id(node) if key is None else key] = value


def _kept(cache: dict, node: cst.CSTNode, key=None) -> tuple | None:
    """What `_keep_for_node` remembered for `node` under `key` (by default id(node)), or None."""
    known = cache.get(id(node) if key is None else key)
    return known if known is not None and known[0] is node else None


_GENERATED: dict[tuple[int, str, str], tuple[cst.BaseStatement, str]] = {}


def _generated(module: cst.Module, statement: cst.BaseStatement) -> str:
    """A new top-level statement's code. Those the steps add unchanged (the snippets parsed
    once per run by `statements`) are generated once per line ending and indent."""
    key = (id(statement), module.default_newline, module.default_indent)
    known = _kept(_GENERATED, statement, key)
    if known is not None:
        return known[1]
    code = module.code_for_node(statement)
    _keep_for_node(_GENERATED, statement, (statement, code), key)
    return code


_PYTHON_STATEMENTS: dict[str, tuple[ast.stmt, ...]] = {}


def python_statements(module: cst.Module, pieces: SourcePieces | None) -> list[tuple[tuple[ast.stmt, ...], str | None]] | None:
    """Python's parse of `module` as the steps have it now, a top-level statement at a time:
    (its ast statements, None) for one still as parsed, numbered as the file as read; (those
    of its code, the code) for one a step changed or added, numbered from its code's first
    line. What printing the module and parsing it again would give, without either for the
    statements left alone. None when the module cannot be taken apart so. The nodes are shared:
    read them, never change them."""
    if pieces is None or pieces.nodes is None or not _prints_from(module, pieces):
        return None
    found: list[tuple[tuple[ast.stmt, ...], str | None]] = []
    for statement in module.body:
        known = pieces.statements.get(id(statement))
        if known is not None and known[0] is statement:
            found.append((pieces.nodes[id(statement)], None))
            continue
        code = _generated(module, statement)
        nodes = _PYTHON_STATEMENTS.get(code)
        if nodes is None:
            # The steps write the same lines into project after project (DEBUG, the hosts block,
            # the redirect): each is parsed once in a run.
            try:
                nodes = tuple(ast.parse(code).body)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            _remember(_PYTHON_STATEMENTS, code, nodes)
        if not nodes:
            return None
        found.append((nodes, code))
    return found


_LONE_CARRIAGE_RETURN = re.compile(rb"\r(?!\n)")


def _parse_skeleton(
    source: bytes, names: frozenset[str], tree: ast.Module
) -> tuple[cst.Module, SourcePieces | None] | None:
    if source.startswith(codecs.BOM_UTF8):
        return None
    if b"\r" in source and _LONE_CARRIAGE_RETURN.search(source):
        # Old Mac line endings (alone or mixed): Python's tokenizer and libcst's disagree on
        # them (where lines end, the encoding line), so libcst alone reads such a file.
        return None
    lines = source.splitlines(keepends=True)
    groups = _statement_groups(tree, lines, names)
    if not groups:
        return None
    chunks: list[bytes] = []  # the skeleton, a statement at a time: its leading lines, then it
    literals: list[tuple[bytes, str] | None] = []  # _one_literal of each chunk
    starts = []  # each statement's first line (1-based), an opaque one's leading lines included
    shares_marker = []  # an opaque statement right after another may share its marker line
    line_number = 1
    marker = b""
    for index, (start, end, keep, _, fold, _) in enumerate(groups):
        if not keep and fold and index > 0:
            # The comment and blank lines above an opaque statement are its leading lines: text
            # as well (except above the first statement: libcst files those under the header).
            start = groups[index - 1].end + 1
        starts.append(start)
        if keep:
            chunks.append(b"".join(lines[line_number - 1 : end]))
            literals.append(_one_literal(chunks[-1], lines, line_number, groups[index].nodes))
            shares_marker.append(False)
            line_number = end + 1
            continue
        between = lines[line_number - 1 : start - 1]
        line = _MARKER.encode() + _ending(lines[start - 1])
        # A marker costs libcst as much as a short statement, and MIDDLEWARE, TEMPLATES,
        # AUTH_PASSWORD_VALIDATORS... come in a row: a run of them needs one marker line.
        shares_marker.append(index > 0 and not groups[index - 1].keep and not between and line == marker)
        if not shares_marker[-1]:
            chunks.append(b"".join(between) + line)
            literals.append(None)
            marker = line
        line_number = end + 1
    tail = b"".join(lines[line_number - 1 :])
    module = _parse_chunks(chunks, tail, literals)
    if module is None:
        try:
            module = cst.parse_module(b"".join(chunks) + tail)
        except Exception:  # noqa: BLE001 - the full parse decides what to report
            return None
    if len(module.body) != len(groups) - sum(shares_marker):
        return None
    parsed = iter(module.body)
    body: list[cst.BaseStatement] = []
    try:
        for (_, end, keep, assigns, _, _), start, shared in zip(groups, starts, shares_marker):
            if keep:
                body.append(next(parsed))
                continue
            if shared:
                leading_lines = ()  # nothing between it and the statement before
            else:
                statement = next(parsed)
                if not _is_marker(statement):
                    return None
                leading_lines = statement.leading_lines
            ending = _ending(lines[end - 1])
            text = b"".join(lines[start - 1 : end])
            body.append(OpaqueStatement(
                leading_lines=leading_lines,
                text=text[: len(text) - len(ending)].decode(module.encoding),
                newline=ending.decode(module.encoding) or None,
                assigns=assigns, origin=module if assigns is not None else None,
            ))
    except (UnicodeDecodeError, LookupError):
        return None
    module = module.with_changes(body=body)
    pieces = _source_pieces(module, lines, groups, starts)
    return module, pieces._replace(syntax=tree) if pieces is not None else None


_CHUNKS: dict[bytes, cst.Module] = {}
_SEEN_ONCE: set[int] = set()  # hashes of chunks parsed once: a chunk is kept only once seen again


def _remember(cache: dict, key, value, limit: int = 512) -> None:
    """Keep `value` for `key` once `key` comes a second time: what one project alone holds (its
    secret key, its docstring) is not kept, so memory stays flat however many projects run."""
    seen = hash(key)
    if seen not in _SEEN_ONCE:
        if len(_SEEN_ONCE) > 8192:
            _SEEN_ONCE.clear()
        _SEEN_ONCE.add(seen)
        return
    if len(cache) > limit:
        cache.clear()
    cache[key] = value


def _parse_chunks(chunks: list[bytes], tail: bytes,
                  literals: Sequence[tuple[bytes, str] | None] = ()) -> cst.Module | None:
    """The skeleton's module, put together from each statement's own parse (its leading lines,
    then it), each one parsed once in a run: the projects of a fleet share most of their
    statements and comments, line for line. The same module libcst makes of the whole skeleton
    (tests/test_partial_parse.py compares them), or None where that cannot be vouched for: a
    compound statement (its block's indent is the module's to say), an encoding other than
    UTF-8, line endings that differ, or a statement that does not parse on its own.
    `literals`: each chunk's `_one_literal`, where it has one."""
    if not chunks:
        return None
    body: list[cst.BaseStatement] = []
    first: cst.Module | None = None
    parsed: cst.Module | None = None
    used: set[int] = set()
    for index, chunk in enumerate(chunks):
        literal = literals[index] if literals else None
        if literal is not None:
            chunk = literal[0]
        text = chunk + tail if index == len(chunks) - 1 else chunk
        parsed = _CHUNKS.get(text)
        if parsed is None:
            try:
                parsed = cst.parse_module(text)
            except Exception:  # noqa: BLE001 - the whole skeleton's parse decides
                return None
            _remember(_CHUNKS, text, parsed)
        if first is None:
            first = parsed
        if (len(parsed.body) != 1 or not isinstance(parsed.body[0], cst.SimpleStatementLine)
                or parsed.encoding != "utf-8" or parsed.default_newline != first.default_newline
                or parsed.default_indent != first.default_indent
                or (index < len(chunks) - 1 and (parsed.footer or not parsed.has_trailing_newline))):
            return None
        statement = parsed.body[0]
        if literal is not None:
            statement = _with_literal(statement, literal[1])
            if statement is None:
                return None
        if index > 0 and parsed.header:
            statement = _with_header(statement, parsed.header, keep=literal is None)
        if id(statement) in used:  # the same line twice in one module: each its own node
            statement = statement.deep_clone()
        used.add(id(statement))
        body.append(statement)
    return cst.Module(body=body, header=first.header, footer=parsed.footer, encoding=first.encoding,
                      default_indent=first.default_indent, default_newline=first.default_newline,
                      has_trailing_newline=parsed.has_trailing_newline)


_WITH_HEADER: dict[int, tuple[cst.BaseStatement, cst.BaseStatement]] = {}


def _with_header(statement: cst.BaseStatement, header: Sequence[cst.EmptyLine], keep: bool) -> cst.BaseStatement:
    """The statement of a chunk parsed alone, with the comment lines above it (which that parse
    files under the module's header) as its leading lines. `keep`: the statement is a cached
    parse's, so the result is one node for every project that shares the chunk, and a step's
    edit of it can be shared too (replace_value, _generated)."""
    known = _kept(_WITH_HEADER, statement) if keep else None
    if known is not None:
        return known[1]
    merged = statement.with_changes(leading_lines=[*header, *statement.leading_lines])
    if keep:
        _keep_for_node(_WITH_HEADER, statement, (statement, merged))
    return merged


# One string token as Python writes it: a prefix that makes a str, its quotes, escapes and all.
_ONE_STRING = re.compile(
    r"""[rRuU]?(?:'''(?:[^\\']|\\.|'(?!''))*'''|\"\"\"(?:[^\\"]|\\.|"(?!""))*\"\"\"|'(?:[^\\'\r\n]|\\.)*'|"(?:[^\\"\r\n]|\\.)*")""".encode(),
    re.DOTALL,
)
_FIRST_NEWLINE = re.compile(rb"\r\n?|\n")


def _one_literal(chunk: bytes, lines: list[bytes], first_line: int, nodes: tuple[ast.stmt, ...]) -> tuple[bytes, str] | None:
    """(`chunk` with its one string literal written '', the literal) when its statement is a
    docstring or `NAME = 'text'`: what sets one project's module apart from its template's (its
    name in the docstring, its secret key) then costs no parse of its own (_parse_chunks parses
    the chunk with '' once, and puts the literal back). None for any other statement."""
    if len(nodes) != 1:
        return None
    node = nodes[0]
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        value = node.value
    elif isinstance(node, ast.Expr):
        value = node.value
    else:
        return None
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)) or value.end_lineno is None:
        return None
    # ast's columns count UTF-8 bytes, its lines those of the file.
    start = sum(len(line) for line in lines[first_line - 1 : value.lineno - 1]) + value.col_offset
    end = sum(len(line) for line in lines[first_line - 1 : value.end_lineno - 1]) + value.end_col_offset
    raw = chunk[start:end]
    if not _ONE_STRING.fullmatch(raw) or b"coding" in raw:  # (an encoding line in it would count)
        return None
    blanked = chunk[:start] + b"''" + chunk[end:]
    first, blanked_first = _FIRST_NEWLINE.search(chunk), _FIRST_NEWLINE.search(blanked)
    if (first and first.group()) != (blanked_first and blanked_first.group()):
        return None  # libcst takes the first line ending for the module's
    try:
        return blanked, raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _with_literal(statement: cst.BaseStatement, literal: str) -> cst.BaseStatement | None:
    """`statement`, parsed with '' for its string, with `literal` instead."""
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
    if not (isinstance(small, (cst.Expr, cst.Assign)) and isinstance(small.value, cst.SimpleString)
            and small.value.value == "''"):
        return None
    return statement.with_changes(body=[small.with_changes(value=small.value.with_changes(value=literal))])


def _source_pieces(module: cst.Module, lines: list[bytes], groups, starts: list[int]) -> SourcePieces | None:
    """Cut the source where libcst's statements begin: at their leading lines."""
    begins = [start - len(statement.leading_lines) for statement, start in zip(module.body, starts)]
    ends = [begin - 1 for begin in begins[1:]] + [len(lines) - len(module.footer)]
    if begins[0] != len(module.header) + 1:
        return None
    for begin, end, (start, last, *_) in zip(begins, ends, groups):
        if not begin <= start <= last <= end:
            return None
    return SourcePieces(
        module,
        header=b"".join(lines[: begins[0] - 1]),
        footer=b"".join(lines[ends[-1] :]),
        statements={
            id(statement): (statement, b"".join(lines[begin - 1 : end]))
            for statement, begin, end in zip(module.body, begins, ends)
        },
        nodes={id(statement): group.nodes for statement, group in zip(module.body, groups)},
    )


def _is_marker(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Name)
        and statement.body[0].value.value == _MARKER
    )


def _statement_groups(tree: ast.Module, lines: list[bytes], names: frozenset[str]) -> list[Group]:
    """What to parse of each run of lines holding module-level statements."""
    spans: list[list] = []  # [start, end, statements]
    for statement in tree.body:
        start = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        end = statement.end_lineno
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2].append(statement)
        else:
            spans.append([start, end, [statement]])
    mentions = _mentions(names)
    try:
        encoding = tokenize.detect_encoding(iter(lines[:2]).__next__)[0]
    except SyntaxError:
        encoding = "utf-8"
    texts = [b"".join(lines[start - 1 : end]) for start, end, _ in spans]
    keep = []
    for (_, _, statements), text in zip(spans, texts):
        if any(isinstance(s, _KEEP_TYPES) or _is_string_statement(s) for s in statements):
            keep.append(True)
        elif all(isinstance(s, _SKIP_TYPES) for s in statements):
            keep.append(False)
        else:
            # Blocks count their star imports too (`try: from .local import *`).
            star_import_in_block = b"import" in text and any(isinstance(s, _BLOCK_TYPES) for s in statements)
            keep.append(star_import_in_block or mentions.search(text) is not None)
    # A value may read the environment through another module-level name: keep those too.
    assigned = [_assigned_names(statements) for _, _, statements in spans]
    used: set[str] = set()
    fresh = [i for i, kept in enumerate(keep) if kept]
    while fresh:
        for i in fresh:
            used.update(_identifiers(texts[i], encoding))
        fresh = [i for i, kept in enumerate(keep) if not kept and assigned[i] & used]
        for i in fresh:
            keep[i] = True
    # Plain assignments are found by name and parsed only when looked at, except the one-line
    # settings the steps read: those cost less parsed with the rest than parsed on their own.
    assigns = [_plain_assignment(statements, lines) for _, _, statements in spans]
    keep = [
        kept and (name is None or (name in names and start == end))
        for kept, name, (start, end, _) in zip(keep, assigns, spans)
    ]
    # Between statements, only blank lines and comments at the start of a line are plainly
    # the next statement's leading lines (or the module's footer). Indented comments may be a
    # block's (libcst decides that by their indent), and libcst has quirks with lines such
    # as a lone backslash: there, both statements and the lines between are parsed as usual.
    fold = [True] * len(spans)
    for i, (_, end, statements) in enumerate(spans):
        following = spans[i + 1][0] - 1 if i + 1 < len(spans) else len(lines)
        if _continues_past_its_end(statements, lines) or any(not _plain_between(line) for line in lines[end:following]):
            keep[i] = True
            if i + 1 < len(spans):
                keep[i + 1], fold[i + 1] = True, False
    if keep and not lines[-1].endswith((b"\n", b"\r")):
        # A marker line cannot stand for both the first line's ending and the missing last one.
        keep[-1] = True
    for i, (start, end, _) in enumerate(spans):
        # Nor for a first and a last line ending differently (the first tells libcst the
        # file's newline, the last whether the file ends with one).
        if _ending(lines[start - 1]) != _ending(lines[end - 1]):
            keep[i] = True
    return [
        Group(start, end, kept, name if not kept else None, folds, tuple(statements))
        for (start, end, statements), kept, name, folds in zip(spans, keep, assigns, fold)
    ]


class Group(NamedTuple):
    """A run of lines holding module-level statements (statements sharing a line are one)."""

    start: int  # first line, 1-based
    end: int  # last line
    keep: bool  # parsed as libcst nodes; else an OpaqueStatement
    assigns: str | None  # NAME, for an opaque `NAME = value`
    fold: bool  # as an OpaqueStatement, may take the comment and blank lines above it as text
    nodes: tuple[ast.stmt, ...] = ()  # Python's parse of its statements


def _ending(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")) :]


def _continues_past_its_end(statements: list[ast.stmt], lines: list[bytes]) -> bool:
    """Does the last line end in a line continuation (`X = 1, \\` before a blank line)? Then
    the statement's text alone would end mid-continuation. (A backslash in a comment is not one.)"""
    last = max(statements, key=lambda statement: (statement.end_lineno, statement.end_col_offset))
    after = lines[last.end_lineno - 1][last.end_col_offset :].rstrip(b"\r\n")
    return after.endswith(b"\\") and b"#" not in after


def _plain_between(line: bytes) -> bool:
    """A blank line or a comment starting at the line's start."""
    return not line.strip(b"\r\n") or line.startswith(b"#")


def _identifiers(code: bytes, encoding: str) -> set[str]:
    """Every word that may be a Python name in `code`, normalised as Python normalises names."""
    text = code.decode(encoding, "replace")
    words = set(_IDENTIFIER.findall(text))
    if not text.isascii():
        words |= {unicodedata.normalize("NFKC", word) for word in words}
    return words


def _plain_assignment(statements: list[ast.stmt], lines: list[bytes]) -> str | None:
    """NAME for a run of lines that is only `NAME = value` or `NAME: T = value`. Not for
    non-ASCII lines: Python normalises names (NFKC) where libcst keeps them as written."""
    if len(statements) != 1:
        return None
    if not all(line.isascii() for line in lines[statements[0].lineno - 1 : statements[0].end_lineno]):
        return None
    statement = statements[0]
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id
    if isinstance(statement, ast.AnnAssign) and statement.value is not None and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


@functools.lru_cache(maxsize=4)
def _mentions(names: frozenset[str]) -> re.Pattern[bytes]:
    words = b"|".join(re.escape(name.encode()) for name in sorted(names)) or b"(?!)"
    return re.compile(rb"\b(?:" + words + rb")\b")


_BLOCK_TYPES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match,
                *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _is_string_statement(statement: ast.stmt) -> bool:
    """A string, bytes or f-string on its own: what libcst's docstring check accepts."""
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    if isinstance(value, ast.JoinedStr):
        return True
    return isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes))


def _assigned_names(statements: list[ast.stmt]) -> set[str]:
    names = set()
    for statement in statements:
        if isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
    return names


# --- finding settings -------------------------------------------------------------------------

def assignments(module: cst.Module, name: str) -> Iterator[Assignment]:
    """Every module-level plain assignment to `name`, in file order. In a partially parsed
    module, for the names parse_settings was given and those their values use (or any
    `NAME = value` alone on its lines): `SettingsModule.assignments` checks that."""
    return iter(assignment_index(module).get(name, ()))


def assignment_index(module: cst.Module) -> dict[str, list[Assignment]]:
    """Every module-level plain assignment, by the name assigned, in file order: one pass over
    the module serves all the settings the steps look up."""
    index_by_name: dict[str, list[Assignment]] = {}
    # Exact type tests: isinstance on libcst's abstract node classes costs ten times more, and
    # this runs again after every edit of the module.
    for index, statement in enumerate(module.body):
        kind = type(statement)
        if kind is OpaqueStatement:
            if statement.assigns is not None:
                index_by_name.setdefault(statement.assigns, []).append(Assignment(index, 0, statement))
            continue
        if kind is not cst.SimpleStatementLine:
            continue
        for small_index, small in enumerate(statement.body):
            small_kind = type(small)
            if small_kind is cst.Assign and small.value is not None:
                targets = [target.target for target in small.targets]
            elif small_kind is cst.AnnAssign and small.value is not None:
                targets = [small.target]
            else:
                continue
            for target in targets:
                if type(target) is cst.Name:
                    index_by_name.setdefault(target.value, []).append(Assignment(index, small_index, small))
    return index_by_name


def later_additions(module: cst.Module, name: str, after_index: int) -> list[cst.CSTNode]:
    """Module-level statements after `after_index` that add to `name`: `NAME += ...`,
    `NAME.append(...)`, `NAME.extend(...)`, `NAME.insert(...)`."""
    found = []
    for statement in module.body[after_index + 1 :]:
        if type(statement) is not cst.SimpleStatementLine:  # exact: see assignment_index
            continue
        for small in statement.body:
            if type(small) is cst.AugAssign and _is_name(small.target, name):
                found.append(small)
            elif (
                type(small) is cst.Expr
                and type(small.value) is cst.Call
                and dotted_name(small.value.func) in {f"{name}.append", f"{name}.extend", f"{name}.insert"}
            ):
                found.append(small)
    return found


_BLOCKS = frozenset((cst.If, cst.Try, cst.For, cst.While, cst.With))  # by exact type: isinstance on
# libcst's classes goes through ABCMeta, and this looks at every statement of the module


def block_contents(module: cst.Module) -> tuple[frozenset[str], tuple[str, ...]]:
    """What module-level if/try/for/while/with blocks (which run at import, unlike function
    bodies) assign, and the modules they star-import (`try: from .local import *`): places the
    steps do not rewrite. One pass over the blocks serves every setting."""
    finder = _NestedAssignmentFinder()
    for statement in module.body:
        if type(statement) in _BLOCKS:
            statement.visit(finder)
    return frozenset(finder.names), tuple(finder.star_imports)


def first_star_import_block(module: cst.Module) -> int | None:
    """The index of the first module-level block that star-imports a module (`try: from .local
    import *`): a local override that must stay last, so new settings go above it."""
    for index, statement in enumerate(module.body):
        if type(statement) in _BLOCKS:
            finder = _NestedAssignmentFinder()
            statement.visit(finder)
            if finder.star_imports:
                return index
    return None


class _NestedAssignmentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.star_imports: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def _target(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.names.add(target.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star_imports.append("." * len(node.relative) + (source(node.module) if node.module else ""))


def string_values(node: cst.CSTNode) -> list[str]:
    """Every plain string literal inside `node`."""
    collector = _StringCollector()
    node.visit(collector)
    return collector.values


def star_imports(module: cst.Module) -> Iterator[tuple[int, str]]:
    """(index, dotted module) for each module-level `from X import *`; relative names keep their dots."""
    for index, statement in enumerate(module.body):
        if type(statement) is not cst.SimpleStatementLine:  # exact: see assignment_index
            continue
        for small in statement.body:
            if type(small) is cst.ImportFrom and type(small.names) is cst.ImportStar:
                dots = "." * len(small.relative)
                name = source(small.module) if small.module is not None else ""
                yield index, dots + name


def statement_at(module: cst.Module, index: int) -> cst.BaseStatement:
    """body[index], parsed if it was an assignment kept as text."""
    statement = module.body[index]
    if type(statement) is OpaqueStatement:
        if statement.assigns is None:
            # Its comment lines are in its text: an edit would misplace them. Steps edit only
            # what they read, and what they read is parsed (parse_settings).
            raise AssertionError(f"statement {index} is text only: {statement.text[:40]!r}")
        return statement.parsed
    return statement


def statement_source(module: cst.Module, index: int) -> str:
    """body[index]'s code (its leading lines included): an assignment kept as text is not parsed."""
    statement = module.body[index]
    if type(statement) is OpaqueStatement:
        return statement.text
    return module.code_for_node(statement)


def replace_value(module: cst.Module, where: Assignment, value: cst.BaseExpression) -> cst.Module:
    """The assignment with `value`; a comment inside the old value that the new one drops goes
    above the statement instead (a user's note is never lost)."""
    statement = statement_at(module, where.index)
    key = (id(statement), where.small_index, id(value))
    known = _kept(_REPLACED, statement, key)
    if known is not None and known[1] is value:
        # A fleet's projects share the statement (_parse_chunks) and the new value (a step's
        # snippet): the same new statement then prints from _generated's cache.
        return _replace_body(module, where.index, [known[2]])
    small = statement.body[where.small_index]
    new_small = small.with_changes(value=value)
    new_statement = statement.with_changes(
        body=[*statement.body[: where.small_index], new_small, *statement.body[where.small_index + 1 :]]
    )
    new_statement = _keep_comments(small.value, [value], new_statement)
    _keep_for_node(_REPLACED, statement, (statement, value, new_statement), key)
    return _replace_body(module, where.index, [new_statement])


_REPLACED: dict[tuple[int, int, int], tuple[cst.BaseStatement, cst.BaseExpression, cst.BaseStatement]] = {}


def _comments(node: cst.CSTNode) -> list[str]:
    kind = type(node)
    if kind in _ATOMS and not node.lpar:
        return []  # a name, string or number on its own holds no whitespace, so no comment
    if kind is cst.SimpleStatementLine:  # the order a visitor meets them in
        return [*(line.comment.value for line in node.leading_lines if line.comment is not None),
                *(comment for small in node.body for comment in _comments(small)),
                *([node.trailing_whitespace.comment.value] if node.trailing_whitespace.comment else [])]
    known = _kept(_COMMENTS, node)
    if known is not None:
        return list(known[1])
    collector = _CommentCollector()
    node.visit(collector)
    # The statements of a fleet's projects are shared nodes (_parse_chunks): each is walked once.
    _keep_for_node(_COMMENTS, node, (node, tuple(collector.found)))
    return collector.found


_COMMENTS: dict[int, tuple[cst.CSTNode, tuple[str, ...]]] = {}


_ATOMS = frozenset((cst.Name, cst.SimpleString, cst.Integer, cst.Float))  # by exact type


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Comment(self, comment: cst.Comment) -> None:
        self.found.append(comment.value)


def _keep_comments(old: cst.CSTNode, new: Sequence[cst.CSTNode], first: cst.BaseStatement) -> cst.BaseStatement:
    """`first` with the comments of `old` that none of `new` holds as its last leading lines."""
    old_comments = _comments(old)
    if not old_comments:  # the usual case: the new nodes need no look
        return first
    kept = [comment for node in new for comment in _comments(node)]
    lost = []
    for comment in old_comments:
        if comment in kept:
            kept.remove(comment)
        else:
            lost.append(cst.EmptyLine(comment=cst.Comment(comment)))
    if not lost:
        return first
    return first.with_changes(leading_lines=[*first.leading_lines, *lost])


def replace_statement(
    module: cst.Module, index: int, statements: Sequence[cst.BaseStatement]
) -> cst.Module:
    """Replace body[index] by `statements`: the first takes over the old one's leading comments,
    the last its trailing comment (`X = ...  # why`)."""
    old = statement_at(module, index)
    key = (id(old), *map(id, statements))
    known = _kept(_REPLACED_BY, old, key)
    if known is not None and all(a is b for a, b in zip(known[1], statements)):
        return _replace_body(module, index, known[2])  # shared statements, shared result (replace_value)
    new = list(statements)
    new[0] = new[0].with_changes(leading_lines=[*old.leading_lines, *new[0].leading_lines])
    trailing = getattr(old, "trailing_whitespace", None)
    if trailing is not None and trailing.comment is not None and isinstance(new[-1], cst.SimpleStatementLine):
        new[-1] = new[-1].with_changes(trailing_whitespace=trailing)
    # Comments inside the old statement's body (`[\n    # why\n    '*',\n]`) go above the new ones.
    body = old.body if isinstance(old, cst.SimpleStatementLine) else []
    inside = [small for small in body]
    if inside:
        new[0] = _keep_comments(cst.SimpleStatementLine(body=inside), new, new[0])
    _keep_for_node(_REPLACED_BY, old, (old, tuple(statements), tuple(new)), key)
    return _replace_body(module, index, new)


_REPLACED_BY: dict[tuple[int, ...], tuple] = {}


def insert_after(module: cst.Module, index: int, statements: Sequence[cst.BaseStatement]) -> cst.Module:
    body = list(module.body)
    body[index + 1 : index + 1] = statements
    return module.with_changes(body=body)


def ensure_comment_above(module: cst.Module, index: int, comment: str) -> cst.Module:
    """body[index] with `comment` as the last comment line above it, unless already among them."""
    statement = statement_at(module, index)
    if any(line.comment is not None and line.comment.value == comment for line in statement.leading_lines):
        return module
    line = cst.EmptyLine(comment=cst.Comment(comment))
    return _replace_body(module, index, [statement.with_changes(leading_lines=[*statement.leading_lines, line])])


def append(module: cst.Module, statements: Sequence[cst.BaseStatement]) -> cst.Module:
    return module.with_changes(body=[*module.body, *statements])


def _replace_body(module: cst.Module, index: int, statements: Sequence[cst.BaseStatement]) -> cst.Module:
    body = list(module.body)
    body[index : index + 1] = statements
    return module.with_changes(body=body)


def statements(code: str) -> list[cst.BaseStatement]:
    """Parse a snippet into module-level statements, blank lines and comments kept as leading lines."""
    return list(_statements(code))


@functools.lru_cache(maxsize=64)
def _statements(code: str) -> tuple[cst.BaseStatement, ...]:
    # libcst nodes are immutable, so one parse of each snippet serves every project of a run.
    parsed = cst.parse_module(code)
    body = list(parsed.body)
    # libcst files the lines above the first statement under the module's header.
    body[0] = body[0].with_changes(leading_lines=[*parsed.header, *body[0].leading_lines])
    return tuple(body)


@functools.lru_cache(maxsize=64)
def expression(code: str) -> cst.BaseExpression:
    """`code` parsed, once per run: nodes never change, and the steps write the same values into
    project after project (whose statements then print from _generated's cache)."""
    return cst.parse_expression(code)


def has_import(module: cst.Module, name: str) -> bool:
    """Is `import name` (or `import name as name`) at module level?"""
    return any(_imports(statement, name) for statement in module.body)


def _imports(statement: cst.BaseStatement, name: str) -> bool:
    """Is the statement `import name` (or `import name as name`, or a line holding one)?"""
    if type(statement) is not cst.SimpleStatementLine:  # exact: see assignment_index
        return False
    for small in statement.body:
        if type(small) is cst.Import:
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if _is_name(alias.name, name) and _is_name(bound, name):
                    return True
    return False


def imported_before_use(module: cst.Module, name: str) -> bool:
    """Is `import name` bound at module level before the first module-level statement that uses
    `name`? An import below a use (`import os` at the end of the file) leaves that use, a new
    read included, failing with NameError. Function and class bodies run later: not uses."""
    if not has_import(module, name):  # the common answer, without walking every statement's nodes
        return False
    word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    for statement in module.body:
        if _imports(statement, name):
            return True
        kind = type(statement)  # exact: see assignment_index
        if kind is cst.FunctionDef or kind is cst.ClassDef:
            continue
        if kind is OpaqueStatement:
            deferred = statement.text.lstrip().startswith(("def ", "async def ", "class ", "@"))
            if not deferred and word.search(statement.text):
                return False
        elif name in names_used(statement):
            return False
    return False


def ensure_import(module: cst.Module, name: str) -> cst.Module:
    """Add `import name` when missing, or only bound below a use: first in the top import block
    (where isort puts a plain `import`), else after the docstring, else at the top."""
    if imported_before_use(module, name):
        return module
    new = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(name=cst.Name(name))])])
    body = list(module.body)
    # The header a new import must follow: the docstring, then any `from __future__` imports.
    start = 1 if body and _is_docstring(body[0]) else 0
    while start < len(body) and _is_future_import(body[start]):
        start += 1
    if start < len(body) and _is_import(body[start]):
        first = body[start]
        body[start] = first.with_changes(leading_lines=[])
        body.insert(start, new.with_changes(leading_lines=first.leading_lines))
    elif start == 0:
        body.insert(0, new)
    else:
        body.insert(start, new.with_changes(leading_lines=[cst.EmptyLine()]))
    return module.with_changes(body=body)


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _is_future_import(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.ImportFrom)
        and _is_name(statement.body[0].module, "__future__")
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_name(node: cst.CSTNode | None, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


# --- reading expressions -------------------------------------------------------------------

def source(node: cst.CSTNode) -> str:
    known = _kept(_SOURCES, node)
    if known is not None:
        return known[1]  # nodes never change, and a fleet's projects share most of theirs
    code = _EMPTY_MODULE.code_for_node(node)
    _keep_for_node(_SOURCES, node, (node, code))
    return code


_SOURCES: dict[int, tuple[cst.CSTNode, str]] = {}


_EMPTY_MODULE = cst.Module([])  # code_for_node's defaults: four-space indent, \n


def one_line_code(node: cst.CSTNode) -> str:
    """`node`'s code as a step's reason quotes it, which is one line: as written when it fits on
    one, else shortened to its first element (`('localhost', ...)`, `env.list('HOSTS', ...)`),
    without the comments and line breaks between its parts."""
    code = source(node).strip()
    if "\n" not in code and "\r" not in code:
        return code
    return _shortened(node)


_BRACKETS = {cst.List: ("[", "]"), cst.Set: ("{", "}"), cst.Tuple: ("(", ")"), cst.Dict: ("{", "}")}


def _shortened(node: cst.CSTNode) -> str:
    if isinstance(node, (cst.List, cst.Set, cst.Tuple, cst.Dict)):
        opening, closing = _BRACKETS[type(node)]
        if isinstance(node, cst.Tuple) and not node.lpar:
            opening = closing = ""
        items = list(node.elements)
        if not items:
            return opening + closing
        first = _element(items[0])
        rest = ", ..." if len(items) > 1 else ("," if isinstance(node, cst.Tuple) else "")
        return f"{opening}{first}{rest}{closing}"
    if isinstance(node, cst.Call):
        func = one_line_code(node.func)
        if not node.args:
            return f"{func}()"
        first = node.args[0]
        shown = one_line_code(first.value)
        if first.keyword is not None:
            shown = f"{first.keyword.value}={shown}"
        elif first.star:
            shown = f"{first.star}{shown}"
        return f"{func}({shown}{', ...' if len(node.args) > 1 else ''})"
    if isinstance(node, cst.Attribute):
        return f"{one_line_code(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Subscript):
        return f"{one_line_code(node.value)}[...]"
    if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation, cst.Comparison)):
        parens = ("(", ")") if getattr(node, "lpar", None) else ("", "")
        try:
            text = ast.unparse(ast.parse(f"(\n{source(node)}\n)", mode="eval").body)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            text = None
        if text is not None and len(text) <= 100:
            return parens[0] + text + parens[1]
        if isinstance(node, cst.BinaryOperation):
            return f"{parens[0]}{one_line_code(node.left)} {source(node.operator).strip()} ...{parens[1]}"
    first_line = next((line.strip() for line in source(node).strip().splitlines() if line.strip()), "")
    return f"{first_line} ..."


def _element(element: cst.CSTNode) -> str:
    if isinstance(element, cst.DictElement):
        return f"{one_line_code(element.key)}: {one_line_code(element.value)}"
    if isinstance(element, cst.StarredDictElement):
        return f"**{one_line_code(element.value)}"
    if isinstance(element, cst.StarredElement):
        return f"*{one_line_code(element.value)}"
    return one_line_code(element.value)


def same_expression(node: cst.BaseExpression, code: str) -> bool:
    """Equal as Python, whatever the quotes, spacing or line breaks."""
    return _ast_dump(source(node).strip()) == _ast_dump(code)


@functools.lru_cache(maxsize=256)
def _ast_dump(code: str) -> str | None:
    try:
        return ast.dump(ast.parse(code, mode="eval"))
    except SyntaxError:
        return None


def is_bool_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("True", "False")


def string_literal(node: cst.BaseExpression) -> str | None:
    """The value of a plain or implicitly concatenated string literal (no f-strings), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def string_list(node: cst.BaseExpression) -> list[str] | None:
    """The strings of a literal list or tuple of strings, else None."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    values = []
    for element in node.elements:
        if not isinstance(element, cst.Element):
            return None
        value = string_literal(element.value)
        if value is None:
            return None
        values.append(value)
    return values


def assigned_strings(assignment: Assignment) -> list[str] | None:
    """`string_list` of an assignment's value. A statement still held as text is read with
    Python's own parser: a long INSTALLED_APPS would otherwise cost a libcst parse just to
    learn which apps it names."""
    found_in = assignment.found_in
    if not isinstance(found_in, OpaqueStatement) or "parsed" in found_in.__dict__:
        return string_list(assignment.value)
    strings = _assigned_strings_of_text(found_in.text)
    if strings is _UNPARSED:
        return string_list(assignment.value)
    return None if strings is None else list(strings)


_UNPARSED = object()  # Python cannot parse it: libcst decides


@functools.lru_cache(maxsize=64)  # by text: INSTALLED_APPS is asked of twice a project, and a fleet's repeat
def _assigned_strings_of_text(text: str) -> tuple[str, ...] | object | None:
    try:
        statement = ast.parse(text).body[0]
    except (SyntaxError, ValueError, IndexError):
        return _UNPARSED
    value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    strings = [element.value for element in value.elts if isinstance(element, ast.Constant)]
    if len(strings) != len(value.elts) or not all(isinstance(string, str) for string in strings):
        return None  # a name, a call, *more, an f-string or bytes: not a plain list of strings
    return tuple(strings)


# Calls that read the process environment, by the dotted name they are spelled with:
# os.environ.get / os.getenv, django-environ's env(...) / env.bool(...), python-decouple's config(...).
_ENV_CALL_NAMES = {
    "os.environ.get", "os.getenv", "environ.get", "getenv", "os.environ.setdefault",
    "env", "config", "decouple.config",
}
_ENV_CALL_PREFIXES = ("env.",)
_ENV_MAPPINGS = {"os.environ", "environ"}


class Readers(NamedTuple):
    """What reads the environment in one settings module besides the spellings above: its own
    helpers whose bodies read it (`def envbool(name): ... os.environ ...`), and the standard
    readers under the names it gives them (`from os import getenv as read`, `ENV = environ.Env()`)."""

    calls: frozenset[str] = frozenset()  # callables: helpers, getenv and decouple's config by any name
    objects: frozenset[str] = frozenset()  # django-environ Env / decouple AutoConfig instances: x(...), x.str(...)
    mappings: frozenset[str] = frozenset()  # names for os.environ
    # (helper, variable): the variables a helper's own body names (def secret(): os.environ['X']).
    helper_variables: tuple[tuple[str, str], ...] = ()

    def merged(self, other: "Readers") -> "Readers":
        return Readers(self.calls | other.calls, self.objects | other.objects, self.mappings | other.mappings,
                       self.helper_variables + other.helper_variables)

    def variables_of(self, helper: str) -> list[str]:
        return [variable for name, variable in self.helper_variables if name == helper]


NO_READERS = Readers()

# Classes whose instances read the environment: django-environ's Env, python-decouple's configs.
_READER_CLASSES = {("environ", "Env"), ("decouple", "AutoConfig"), ("decouple", "Config")}


def environment_readers(tree: ast.Module | None) -> Readers:
    """The module's own environment readers (see Readers), from Python's parse of it. A helper
    counts when its body reads the environment, directly or through another helper."""
    if tree is None:
        return NO_READERS
    calls: set[str] = set()
    objects: set[str] = set()
    mappings: set[str] = set()
    classes: set[str] = {f"{module}.{name}" for module, name in _READER_CLASSES}
    helpers: dict[str, ast.AST] = {}
    for node in _module_level_statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name == "os" and alias.asname:
                    mappings.add(f"{bound}.environ")
                    calls.add(f"{bound}.getenv")
                elif alias.name == "decouple" and alias.asname:
                    calls.add(f"{bound}.config")
                    classes.update(f"{bound}.{name}" for module, name in _READER_CLASSES if module == "decouple")
                elif alias.name == "environ" and alias.asname:
                    classes.add(f"{bound}.Env")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module == "os" and alias.name == "environ":
                    mappings.add(bound)
                elif (node.module, alias.name) in (("os", "getenv"), ("decouple", "config")):
                    calls.add(bound)
                elif (node.module, alias.name) in _READER_CLASSES:
                    classes.add(bound)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            helpers[node.name] = node
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, ast.Lambda):
                helpers[name] = node.value
            elif isinstance(node.value, ast.Call) and _ast_dotted(node.value.func) in classes:
                objects.add(name)
    readers = Readers(frozenset(calls), frozenset(objects), frozenset(mappings))
    found = True
    while found:  # a helper may read the environment through another, defined above or below it
        found = False
        for name, helper in helpers.items():
            if name not in readers.calls and _ast_reads_environment(helper, readers):
                readers = readers._replace(calls=readers.calls | {name})
                found = True
    pairs = [(name, variable) for name, helper in helpers.items() if name in readers.calls
             for variable in _ast_variables(helper, readers)]
    return readers._replace(helper_variables=tuple(dict.fromkeys(pairs)))


def _ast_variables(node: ast.AST, readers: Readers) -> list[str]:
    """The variable names a helper's body reads as string literals, in source order."""
    mappings = _ENV_MAPPINGS | readers.mappings
    found = []
    for child in ast.walk(node):
        key = None
        if isinstance(child, ast.Call) and child.args and _is_reader_call(_ast_dotted(child.func) or "", readers):
            key = child.args[0]
        elif isinstance(child, ast.Subscript) and _ast_dotted(child.value) in mappings:
            key = child.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append((key.lineno, key.col_offset, key.value))
    return [variable for *_, variable in sorted(found)]


# Modules whose readers environment_readers knows by name: never searched for helpers.
_KNOWN_MODULES = {"os", "decouple", "environ", "__future__", "django", "pathlib", "typing", "sys"}


def imported_functions(tree: ast.Module | None) -> list[tuple[str, str, str]]:
    """(module, name, bound name) for each module-level `from module import name [as bound]`
    that may be the project's own helper: relative modules keep their dots."""
    if tree is None:
        return []
    found = []
    for node in _module_level_statements(tree.body):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = "." * node.level + (node.module or "")
        if node.level == 0 and (node.module or "").split(".")[0] in _KNOWN_MODULES:
            continue
        found.extend((module, alias.name, alias.asname or alias.name) for alias in node.names if alias.name != "*")
    return found


def _module_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, those inside if/try blocks too (`try: import environ`)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            yield from _module_level_statements([*node.body, *node.orelse, *getattr(node, "finalbody", [])])
            for handler in getattr(node, "handlers", []):
                yield from _module_level_statements(handler.body)


def _ast_reads_environment(node: ast.AST, readers: Readers) -> bool:
    """Does a helper's code use the environment anywhere: a reader called, os.environ used?"""
    mappings = _ENV_MAPPINGS | readers.mappings
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = _ast_dotted(child.func)
            if name is not None and _is_reader_call(name, readers):
                return True
        elif isinstance(child, (ast.Name, ast.Attribute)) and _ast_dotted(child) in mappings:
            return True
    return False


def _ast_dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _ast_dotted(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def _is_reader_call(name: str, readers: Readers) -> bool:
    """Is a call to the callable spelled `name` an environment read?"""
    if name in _ENV_CALL_NAMES or name.startswith(_ENV_CALL_PREFIXES) or name in readers.calls:
        return True
    if name in readers.objects or name.split(".", 1)[0] in readers.objects:
        return True
    base, _, method = name.rpartition(".")
    return method in ("get", "setdefault") and base in readers.mappings


def environment_reads(node: cst.CSTNode, readers: Readers = NO_READERS) -> list[str]:
    """The spellings of environment reads inside `node`: calls like os.environ.get(...) or
    env.bool(...), subscripts like os.environ['X'], `'X' in os.environ`, and calls of the
    module's own `readers`."""
    return list(_environment_finds(node, readers)[0])


def environment_read_call(node: cst.CSTNode, readers: Readers = NO_READERS) -> str | None:
    """The dotted name of `node` when it is a call that reads the environment, else None."""
    if not isinstance(node, cst.Call):
        return None
    name = dotted_name(node.func)
    return name if name is not None and _is_reader_call(name, readers) else None


def environment_variables(node: cst.CSTNode, readers: Readers = NO_READERS) -> list[str]:
    """The variable names `node` reads, in order: each read's first argument or key when it is
    a string literal (os.environ['X'], os.environ.get('X', ...), env.bool('X'), a helper('X'))."""
    return list(dict.fromkeys(_environment_finds(node, readers)[1]))


_ENVIRONMENT_FINDS: dict[tuple[int, Readers], tuple[cst.CSTNode, tuple[str, ...], tuple[str, ...]]] = {}


def _environment_finds(node: cst.CSTNode, readers: Readers) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(environment_reads, the variables read) of `node`; each node walked once (nodes never
    change, and several steps ask of the same values)."""
    key = (id(node), readers)
    known = _kept(_ENVIRONMENT_FINDS, node, key)
    if known is not None:
        return known[1], known[2]
    finder = _EnvironmentReadFinder(readers)
    node.visit(finder)
    _keep_for_node(_ENVIRONMENT_FINDS, node, (node, tuple(finder.found), tuple(finder.variables)), key)
    return tuple(finder.found), tuple(finder.variables)


def dotted_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


_NAMES_USED: dict[int, tuple[cst.CSTNode, frozenset[str]]] = {}


def names_used(node: cst.CSTNode) -> set[str]:
    """The variables `node` uses. Nodes never change, and each step asks again of the statements
    it passes (imported_before_use): each node is walked once."""
    known = _kept(_NAMES_USED, node)
    if known is not None:
        return set(known[1])
    collector = _NameCollector()
    node.visit(collector)
    _keep_for_node(_NAMES_USED, node, (node, frozenset(collector.names)))
    return collector.names


class _EnvironmentReadFinder(cst.CSTVisitor):
    def __init__(self, readers: Readers = NO_READERS) -> None:
        self.readers = readers
        self.mappings = _ENV_MAPPINGS | readers.mappings
        self.found: list[str] = []
        self.variables: list[str] = []

    def _variable(self, node: cst.CSTNode | None) -> None:
        value = string_literal(node) if isinstance(node, cst.BaseExpression) else None
        if value is not None:
            self.variables.append(value)

    def visit_Call(self, node: cst.Call) -> None:
        name = environment_read_call(node, self.readers)
        if name is not None:
            self.found.append(name)
            positional = [arg for arg in node.args if arg.keyword is None and arg.star == ""]
            first = positional[0].value if positional else None
            if first is not None and string_literal(first) is not None:
                self._variable(first)
            else:  # a helper that names its variables itself: def secret(): return os.environ['X']
                self.variables.extend(self.readers.variables_of(name))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        name = dotted_name(node.value)
        if name in self.mappings:
            self.found.append(f"{name}[...]")
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                self._variable(node.slice[0].slice.value)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:  # 'X' in os.environ
            if isinstance(target.operator, (cst.In, cst.NotIn)) and dotted_name(target.comparator) in self.mappings:
                self.found.append(f"in {dotted_name(target.comparator)}")
                self._variable(node.left)


class _StringCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.values: list[str] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str):
            self.values.append(value)


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # In `a.b` only `a` is a variable.
        node.value.visit(self)
        return False


# --- writing new environment reads -----------------------------------------------------------

class Writer(NamedTuple):
    """How a new environment read is spelled: the page's `os.environ.get`, or the reader the
    settings already use (python-decouple's config, a django-environ Env) under the name they
    give it, so that the values in the project's own .env reach the new reads too."""

    kind: str  # "os", "decouple" or "environ"
    call: str  # what the new code calls: "os.environ.get", "config", "env", "decouple.config"

    def read(self, variable: str, default: str | None = None) -> str:
        """Code reading `variable` as a string, `default` (code) when it is unset. The page leaves
        the default out of some lines; decouple and django-environ raise without one, so they get
        '' there, which compares as the page's None does (neither is "True" nor "False")."""
        if self.kind == "os":
            return f"{self.call}({variable!r})" if default is None else f"{self.call}({variable!r}, {default})"
        return f"{self.call}({variable!r}, default={default if default is not None else repr('')})"


PAGE_WRITER = Writer("os", "os.environ.get")


class ReaderBinding(NamedTuple):
    """A module-level, unconditional binding of a reader new code may call."""

    kind: str  # "decouple" or "environ"
    call: str  # how it is called: "config", "decouple.config", "env"
    bound: str  # the module-level name the binding assigns: "config", "decouple", "env"
    # For a django-environ Env: the variables its schema declares (`Env(DEBUG=(bool, False))`),
    # whose cast or default a new read would take on; None when that cannot be told (**kwargs,
    # attributes such as `env.prefix` set on it).
    schema: frozenset[str] | None = frozenset()


_DECOUPLE_CLASSES = ("AutoConfig", "Config")
_ENVIRON_CLASSES = ("Env", "FileAwareEnv")


def reader_bindings(tree: ast.Module | None) -> list[ReaderBinding]:
    """python-decouple's config (imported, or a Config/AutoConfig instance) and django-environ
    Env instances the module binds at module level, outside if/try blocks (a reader bound in one
    may not exist when the settings run), in source order."""
    if tree is None:
        return []
    classes: dict[str, str] = {}  # dotted class name -> kind
    found: list[ReaderBinding] = []
    configured: set[str] = set()  # names with an attribute set on them: `env.prefix = 'APP_'`
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name == "decouple":
                    found.append(ReaderBinding("decouple", f"{bound}.config", bound))
                    classes.update({f"{bound}.{name}": "decouple" for name in _DECOUPLE_CLASSES})
                elif alias.name == "environ":
                    classes.update({f"{bound}.{name}": "environ" for name in _ENVIRON_CLASSES})
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module == "decouple" and alias.name == "config":
                    found.append(ReaderBinding("decouple", bound, bound))
                elif node.module == "decouple" and alias.name in _DECOUPLE_CLASSES:
                    classes[bound] = "decouple"
                elif node.module == "environ" and alias.name in _ENVIRON_CLASSES:
                    classes[bound] = "environ"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    configured.add(target.value.id)
            target = node.targets[0] if len(node.targets) == 1 else None
            value = node.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Call):
                kind = classes.get(_ast_dotted(value.func) or "")
                if kind == "decouple":
                    found.append(ReaderBinding("decouple", target.id, target.id))
                elif kind == "environ":
                    schema = None if any(k.arg is None for k in value.keywords) else frozenset(
                        k.arg for k in value.keywords)
                    found.append(ReaderBinding("environ", target.id, target.id, schema))
    return [
        binding._replace(schema=None) if binding.kind == "environ" and binding.bound in configured else binding
        for binding in found
    ]


def binding_index(module: cst.Module, name: str) -> int | None:
    """The index of the first module-level statement that binds `name` (an import or a plain
    assignment), in the module as edited so far; None when none does."""
    for index, statement in enumerate(module.body):
        if type(statement) is OpaqueStatement:
            if statement.assigns == name:
                return index
            continue
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    # `import a.b` binds a
                    while isinstance(bound, cst.Attribute):
                        bound = bound.value
                    if _is_name(bound, name):
                        return index
            elif isinstance(small, cst.Assign) and any(_is_name(t.target, name) for t in small.targets):
                return index
            elif isinstance(small, cst.AnnAssign) and small.value is not None and _is_name(small.target, name):
                return index
    return None
