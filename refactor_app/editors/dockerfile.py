"""Dockerfiles: find the final build stage's instructions and insert a line among them.

dockerfile-parse reads the instructions (line continuations, comments, parser directives);
the edit itself is a line insertion, so every other byte of the file stays as it was.
"""

from __future__ import annotations

import fnmatch
import functools
import io
import json
import posixpath
import re
import shlex
from typing import Iterator, NamedTuple

from refactor_app.textfile import append_line, split_lines


class Instruction(NamedTuple):
    keyword: str  # upper case: FROM, RUN, CMD, ...
    value: str  # the arguments, continuations joined
    first_line: int  # 0-based, inclusive
    last_line: int


def instructions(text: str) -> list[Instruction]:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    return [
        Instruction(item["instruction"].upper(), item["value"], item["startline"], item["endline"])
        for item in parser.structure
        if item["instruction"] != "COMMENT"
    ]


_HEREDOC = re.compile(r"<<-?\s*['\"]?[A-Za-z_]\w*")


def uses_heredocs(text: str) -> bool:
    """BuildKit heredocs (RUN <<EOF ... EOF): their bodies are not instructions, but
    dockerfile-parse reads them as if they were, so such files are not edited."""
    return any(
        _HEREDOC.search(line) and re.match(r"\s*(RUN|COPY|ADD)\b", line, re.IGNORECASE)
        for line in text.split("\n")
    )


def final_stage(all_instructions: list[Instruction]) -> list[Instruction]:
    """The instructions from the last FROM on: the stage that becomes the image."""
    starts = [i for i, instruction in enumerate(all_instructions) if instruction.keyword == "FROM"]
    return all_instructions[starts[-1] :] if starts else all_instructions


_INSTALL = re.compile(r"\b(pip3?|pipenv|poetry|uv)\b.*\b(install|sync)\b")
# Front-end packages and their build: collectstatic collects what `npm run build` writes.
_ASSETS = re.compile(r"\b(npm|yarn|pnpm)\b.*\b(install|ci|build)\b")


def is_dependency_install(instruction: Instruction) -> bool:
    return instruction.keyword == "RUN" and bool(_INSTALL.search(instruction.value) or _ASSETS.search(instruction.value))


def insert_line(text: str, before_line: int, line: str, newline: str) -> str:
    """Insert `line` so that it becomes line number `before_line` (0-based)."""
    lines = split_lines(text)
    if before_line >= len(lines):
        return append_line(text, line, newline)
    lines.insert(before_line, line + newline)
    return "".join(lines)


def _arguments(instruction: Instruction) -> list[str]:
    """An instruction's arguments: JSON (exec) form or shell words, without --flags."""
    return list(_words(instruction.value.strip()))


@functools.lru_cache(maxsize=256)  # a fleet's Dockerfiles repeat their lines, and each is asked of more than once
def _words(value: str) -> tuple[str, ...]:
    words = None
    if value.startswith("["):
        try:
            loaded = json.loads(value)
            words = [str(word) for word in loaded] if isinstance(loaded, list) else None
        except ValueError:
            words = None
    if words is None:
        try:
            words = shlex.split(value, posix=True)
        except ValueError:  # an unclosed quote: take the words as they stand
            words = value.split()
    return tuple(word for word in words if not word.startswith("--"))


def command_words(command: object) -> tuple[str, ...]:
    """The words of a command as a Dockerfile or compose writes it (a JSON list or a list, or a
    shell line), without --flags; a shell line inside one (`sh -c "..."`) split into its words too."""
    if isinstance(command, list):
        words = tuple(str(word) for word in command)
    elif isinstance(command, str):
        words = _words(command.strip())
    else:
        return ()
    inner = tuple(word for line in words if " " in line for word in _words(line.strip()))
    return tuple(word for word in words if not word.startswith("--")) + inner


def working_directory(stage: list[Instruction], before: int) -> str:
    """The WORKDIR in effect before stage[before] (Docker's default is /)."""
    directory = "/"
    variables: dict[str, str] = {}
    for instruction in stage[:before]:
        _note_variables(instruction, variables)
        if instruction.keyword == "WORKDIR":
            arguments = _arguments(instruction)
            if arguments:
                directory = posixpath.normpath(posixpath.join(directory, _expand(arguments[0], variables)))
    return directory


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def _note_variables(instruction: Instruction, variables: dict[str, str]) -> list[str]:
    """The values ARG defaults and ENV give (cookiecutter-django: `ARG APP_HOME=/app`, `WORKDIR ${APP_HOME}`);
    the names it set."""
    if instruction.keyword not in ("ARG", "ENV"):
        return []
    try:
        words = shlex.split(instruction.value)
    except ValueError:
        return []
    if instruction.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
        variables[words[0]] = _expand(" ".join(words[1:]), variables)  # the old `ENV KEY value`
        return [words[0]]
    names = []
    for word in words:
        name, equals, value = word.partition("=")
        if equals:
            variables[name] = _expand(value, variables)
            names.append(name)
    return names


class EnvLine(NamedTuple):
    value: str  # $VAR and ${VAR} expanded where the stage gives a value
    line: int  # 0-based


def image_environment(stage: list[Instruction]) -> dict[str, EnvLine]:
    """What the stage's ENV lines give every container of the image it builds (ARG values expand
    in them but are gone when the container runs)."""
    variables: dict[str, str] = {}
    environment: dict[str, EnvLine] = {}
    for instruction in stage:
        names = _note_variables(instruction, variables)
        if instruction.keyword == "ENV":
            environment.update((name, EnvLine(variables[name], instruction.first_line)) for name in names)
    return environment


def _expand(text: str, variables: dict[str, str]) -> str:
    """$VAR and ${VAR} replaced where the Dockerfile gives a value; others are left as written."""
    return _VARIABLE.sub(lambda match: variables.get(match.group(1) or match.group(2), match.group(0)), text)


def _context_copies(stage: list[Instruction], before: int) -> Iterator[tuple[list[str], str, str]]:
    """Each COPY or ADD from the build context (not --from) before stage[before]: its sources, its
    destination as written, and that destination in the image (WORKDIR and variables applied)."""
    for index, instruction in enumerate(stage[:before]):
        if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.value:
            continue
        arguments = _arguments(instruction)
        if len(arguments) < 2:
            continue
        *sources, destination = arguments
        yield sources, destination, posixpath.join(working_directory(stage, index),
                                                   _expand(destination, _variables(stage, index)))


def image_path(stage: list[Instruction], before: int, project_path: str) -> str | None:
    """Where a project file (path relative to the build context) is in the image before
    stage[before], from the COPY/ADD instructions of the build context; None if never copied."""
    found = None
    target = posixpath.normpath(project_path)
    for sources, _, destination in _context_copies(stage, before):
        for source in sources:
            source = posixpath.normpath(source).lstrip("/") or "."  # a leading / is still the context's
            rest = _copied_as(source, target)
            if rest is None:
                continue
            if rest:  # inside a folder the source copies: its contents go into the destination
                found = posixpath.normpath(posixpath.join(destination, rest))
            else:  # the file itself
                into_folder = destination.endswith("/") or len(sources) > 1 or _GLOB.search(source) is not None
                found = posixpath.join(destination, posixpath.basename(target)) if into_folder else destination
    return found


def context_paths(stage: list[Instruction], before: int, image_file: str) -> list[str]:
    """The build-context paths a COPY or ADD (not --from) before stage[before] may have put at
    `image_file` (an absolute path in the image), the last instruction's first: a file copied to
    that name, or a file inside a folder copied there (which of the two, only the context tells)."""
    found: list[str] = []
    target = posixpath.normpath(image_file)
    for sources, written, destination in _context_copies(stage, before):
        folder = posixpath.normpath(destination)
        into_folder = written.endswith("/") or len(sources) > 1
        rest = target[len(folder):].lstrip("/") if target.startswith(folder.rstrip("/") + "/") else None
        candidates = []
        for source in sources:
            if _GLOB.search(source) or "://" in source:
                continue
            source = posixpath.normpath(source).lstrip("/") or "."
            if target == folder and not into_folder:
                candidates.append(source)  # COPY start.sh /start
            elif rest is not None:
                if posixpath.basename(source) == rest:
                    candidates.append(source)  # COPY start.sh /app/
                candidates.append(rest if source == "." else posixpath.join(source, rest))  # COPY . /app/
        found[:0] = candidates
    return found


def _variables(stage: list[Instruction], before: int) -> dict[str, str]:
    variables: dict[str, str] = {}
    for instruction in stage[:before]:
        _note_variables(instruction, variables)
    return variables


_GLOB = re.compile(r"[*?[]")


def _copied_as(source: str, target: str) -> str | None:
    """For a COPY source and a file of the build context: "" when the source is the file itself
    (or a pattern matching it), its path inside a folder the source copies (the context: all of
    it), or None when the source does not bring it."""
    if source == ".":
        return target
    parts = target.split("/")
    for length in range(len(parts), 0, -1):
        prefix = "/".join(parts[:length])
        if prefix == source or (_GLOB.search(source) and fnmatch.fnmatchcase(prefix, source)):
            return "/".join(parts[length:])
    return None


def copies_into_image(all_instructions: list[Instruction], project_path: str) -> bool:
    """Does any stage COPY or ADD the project file (relative to the build context) from the
    context? A final stage may take it from such a stage (COPY --from, FROM <stage>)."""
    return image_path(all_instructions, len(all_instructions), project_path) is not None


_FETCH = re.compile(r"\b(?:git\s+clone|svn\s+(?:checkout|co)|hg\s+clone)\b")


def fetches_code(all_instructions: list[Instruction]) -> bool:
    """Does the build get code from elsewhere (`RUN git clone ...`, `ADD <url or git repository>`)?"""
    for instruction in all_instructions:
        if instruction.keyword == "RUN" and _FETCH.search(instruction.value):
            return True
        if instruction.keyword == "ADD" and any("://" in word or word.startswith("git@")
                                                for word in _arguments(instruction)[:-1]):
            return True
    return False
