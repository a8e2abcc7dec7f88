"""Reading one YAML file into plain data, remembering the line of every key and item.

PyYAML's default (YAML 1.1) resolution surprises editors: ``18:30`` becomes the
integer 1110, ``NO`` (Norway) becomes ``False`` and duplicate keys silently overwrite.
This reader resolves only ``null``, ``true``/``false``, decimal integers and decimal
floats; everything else stays a string for the schema to parse. Duplicate keys,
explicit tags and alias bombs are reported as problems.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml

from . import yamlcache
from .problems import Problem

Loc = tuple  # a path into the data: ("credits", "director", 0)

MAX_NODES = 200_000  # generous for any real content file; stops "billion laughs" alias bombs
MAX_DEPTH = 100  # nesting levels; composing deeper nests recurses in C and can crash
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
# What YAML itself refuses in a file (PyYAML's Reader.NON_PRINTABLE): control characters
# other than tab and line ends, lone surrogates, U+FFFE and U+FFFF.
NOT_IN_YAML = yaml.reader.Reader.NON_PRINTABLE
# what a cached file (yamlcache.py) is checked against: what a clean parse can give
_LIMITS = {"refused": re.compile(f"{CONTROL_CHARS.pattern}|{NOT_IN_YAML.pattern}"),
           "depth": MAX_DEPTH, "nodes": MAX_NODES}
REPLACEMENT = "\ufffd"  # what a decoder leaves for bytes it could not read
STAND_IN = "\ue000"  # what a refused character is read as, until it is reported
MAX_BYTES = 5_000_000  # a content file; a 2 000-film festival's largest file is far smaller
MAX_DIGITS = 100  # a whole number longer than this is kept as its text (see LongNumber)
SHOWN_PER_FIELD = 3  # control characters reported one by one in each field, then counted
SHOWN_FIELDS = 10  # fields whose control characters are reported; the rest are counted


class _Loader(yaml.SafeLoader):
    """SafeLoader with a small, predictable set of implicit types (close to YAML 1.2 core)."""

    yaml_implicit_resolvers: dict = {}


# The same with libyaml's parser, ten times faster (a 2 000-film festival is 8 MB of YAML);
# PyYAML's own parser is used where libyaml is missing.
_FastLoader = type("_FastLoader", (yaml.CSafeLoader,), {"yaml_implicit_resolvers": {}}) \
    if getattr(yaml, "__with_libyaml__", False) else _Loader

for _loader in {_Loader, _FastLoader}:
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"))
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
        list("-+0123456789."))

_SCALARS = {
    "tag:yaml.org,2002:null": lambda v: None,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:str": str,
}


def _plus_one(line: int) -> int:
    return line + 1


_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def editor_lines(text: str):
    """A function from YAML's line numbers (0-based) to the lines an editor shows
    (1-based). YAML also breaks lines at NEL, LS and PS (U+0085, U+2028, U+2029), which
    editors show inside a line, and which text pasted from the web or a word processor
    can hold."""
    if not _YAML_ONLY_BREAKS.search(text):
        return _plus_one
    table, line = [1], 1
    for match in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text):
        if not _YAML_ONLY_BREAKS.fullmatch(match.group()):
            line += 1
        table.append(line)
    return lambda yaml_line: table[min(max(yaml_line, 0), len(table) - 1)]


class YamlDocument:
    """The data of one YAML file plus the line (1-based) where each part starts."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label  # the file name as shown to the user
        self.data = None
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []
        self.spans: list[tuple[int, int, Loc]] | None = None  # (start, end, loc) of each value
        self.controls_found: list[list] = []  # [line, loc, char, count] of control characters
        self.editor_line = _plus_one  # YAML's 0-based line -> the line an editor shows

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def strings(self):
        """Every text value in the file as (loc, text)."""
        def walk(value, loc):
            if isinstance(value, str):
                yield loc, value
            elif isinstance(value, dict):
                for key, item in value.items():
                    yield from walk(item, loc + (key,))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    yield from walk(item, loc + (i,))
        yield from walk(self.data, ())

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc`` or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def problem(self, loc: Loc, message: str, severity: str = "error") -> Problem:
        return Problem(self.label, self.line_of(loc), format_loc(loc) or None, message, severity)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _short(str(part))  # a pasted key can be huge
    return out


class LongNumber(str):
    """A whole number too long to be any field's value (Python refuses to convert more than
    4,300 digits, and no field takes more than a few): kept as the text written, so the
    schema reports it at its field ("expected minutes as a whole number, got …")."""


# ------------------------------------------------------------------ reading files safely
class Unreadable(Exception):
    """A file that is not read, and why (in an editor's words)."""


_KINDS = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not an ordinary file")
    return f"is {kind}, not a file"


def inside(path: Path, base: Path) -> bool:
    """Whether ``path`` (resolved: links and ``..`` followed) lies inside ``base``."""
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(base))
    return real == base or base in real.parents


def open_checked(path: Path, base: Path | None = None) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading and return ``(fd, stat)``, or raise :class:`Unreadable`.

    Only a regular file is opened, and with ``base``, only one whose real path (after
    links) is inside ``base``: a link to ``/dev/zero`` or ``/etc/passwd``, a named pipe
    (which would block a reader for ever) or a folder is refused before anything is read.
    The file is opened without blocking and checked again once open, so a file swapped
    in between is refused too. The caller checks the size (``stat.st_size``) and closes
    ``fd``."""
    path = Path(path)
    if base is not None and not inside(path, base):
        raise Unreadable(f"is a link to {os.path.realpath(path)}, outside the project folder; "
                         "copy the file into the project instead")
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise Unreadable("file not found" if not path.is_symlink()
                         else "is a link to a file that does not exist") from None
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror}") from None
    refused = _not_regular(before.st_mode)
    if refused:
        raise Unreadable(refused)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror}") from None
    after = os.fstat(fd)
    refused = _not_regular(after.st_mode)
    if refused or (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise Unreadable(refused or "changed while it was being read; try again")
    return fd, after


def read_bounded(path: Path, max_bytes: int, base: Path | None = None,
                 what: str = "content files") -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see :func:`open_checked`);
    the size is checked before reading, and no more than ``max_bytes`` are ever read."""
    fd, info = open_checked(path, base)
    try:
        if info.st_size > max_bytes:
            raise Unreadable(f"file is {info.st_size:,} bytes; {what} are limited to "
                             f"{max_bytes:,} bytes")
        chunks, total = [], 0
        while total <= max_bytes:
            try:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            except OSError as exc:
                raise Unreadable(f"cannot read file: {exc.strerror}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # it grew while being read
            raise Unreadable(f"file is more than {max_bytes:,} bytes; {what} are limited to "
                             f"{max_bytes:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_yaml(path: Path, label: str, max_bytes: int = MAX_BYTES,
              base: Path | None = None) -> YamlDocument:
    """Read one YAML file. With ``base`` (the project folder), a file whose real path is
    outside it is refused; a file that is not a regular file or is over ``max_bytes`` is
    refused before it is read (see :func:`read_bounded`)."""
    doc = YamlDocument(path, label)
    try:
        raw = read_bounded(path, max_bytes, base)
    except Unreadable as exc:
        message = str(exc)
        if message == "file not found":
            message = "cannot read file: No such file or directory"
        doc.problems.append(Problem(label, None, None, message))
        return doc
    cache = yamlcache.current()
    if cache is not None:
        found = cache.get(raw, _LIMITS)
        if found is not None:
            doc.data, doc.lines = found
            return doc
        cache.parsed.append(Path(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(Problem(label, line, None,
                                    "the file is not UTF-8 text; save it as UTF-8"))
        return doc
    text = text.removeprefix("\ufeff")
    # Characters YAML refuses would stop the parser with no line; replace them (one
    # character each, so positions hold), parse, then report them where they were. The
    # stand-in is a private-use character, which YAML reads as text like any letter: the
    # structure stays as typed (a space would change indentation) and a character at the
    # end of a value stays inside it (a space would be trailing, outside it).
    original = text
    if NOT_IN_YAML.search(text):
        text = NOT_IN_YAML.sub(STAND_IN, text)
        doc.spans = []
    controls = _Controls(doc)
    doc.editor_line = editor_lines(text)
    too_deep = _too_deep(text, doc.editor_line)
    if too_deep is not None:
        doc.problems.append(Problem(label, too_deep, None,
                                    f"the file is nested more than {MAX_DEPTH} levels deep"))
        return doc
    try:
        # libyaml counts positions in characters, as Python does: they locate the
        # refused characters.
        node = yaml.compose(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = doc.editor_line(mark.line) if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark \
                and exc.context_mark.line != exc.problem_mark.line:
            # "while parsing a flow sequence" → "(in the flow sequence started on line 5)"
            opened = re.sub(r"^while (?:parsing|scanning) (?:an? |the )?", "", exc.context)
            what += f" (in the {opened} started on line {doc.editor_line(exc.context_mark.line)})"
        doc.problems.append(Problem(label, line, None, f"YAML syntax error: {what}"))
        _report_refused(doc, original, controls)
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(label, None, None, f"YAML error: {exc}"))
        return doc
    if node is None:
        doc.data = None
        _report_refused(doc, original, controls)
        return doc
    counter = [0]
    doc.lines[()] = 1  # a problem with the file as a whole (a missing field) points at line 1
    doc.data = _convert(node, (), doc, counter)
    _report_refused(doc, original, controls)
    if (cache is not None and not doc.problems and doc.spans is None
            and not doc.controls_found and _cacheable(doc.data)):
        cache.put(raw, doc.data, doc.lines)
    return doc


def _cacheable(data) -> bool:
    """Plain data that JSON keeps as it is (no LongNumber, text keys only)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if any(type(key) is not str for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif value is not None and type(value) not in (str, bool, int, float):
            return False
    return True


class _Controls:
    """Control characters found in one file, reported in bounded number: each text's
    characters as one problem (with a count), at most SHOWN_PER_FIELD texts of a field
    (``countries`` for countries[0], countries[1]…) and then one problem counting the
    rest, at most SHOWN_FIELDS fields and then one problem for the whole file. Work and
    output stay linear in the file however many there are (a file can hold millions)."""

    def __init__(self, doc: YamlDocument):
        self.doc = doc
        self.shown: dict[tuple, int] = {}  # field -> texts reported
        self.more: dict[tuple, list] = {}  # field -> [characters not reported, line, loc]
        self.elsewhere = 0  # characters in fields past SHOWN_FIELDS
        self.last: tuple | None = None  # (line, loc) of the text being counted
        self.pending: list | None = None  # [line, loc, first character, count]

    def add(self, line: int, loc: Loc | None, char: str, count: int = 1) -> None:
        if self.pending is not None and (self.pending[0], self.pending[1]) == (line, loc):
            self.pending[3] += count
            return
        self._flush()
        self.pending = [line, loc, char, count]

    def _flush(self) -> None:
        if self.pending is None:
            return
        line, loc, char, count = self.pending
        self.pending = None
        field = tuple(p for p in loc if not isinstance(p, int)) if loc else None
        shown = self.shown.get(field)
        if shown is None and len(self.shown) >= SHOWN_FIELDS:
            self.elsewhere += count
            return
        if shown is not None and shown >= SHOWN_PER_FIELD:
            more = self.more.setdefault(field, [0, line, loc])
            more[0] += count
            return
        self.shown[field] = (shown or 0) + 1
        text = f"contains the control character U+{ord(char):04X}; remove it"
        if count > 1:
            text += f" (and {count - 1:,} more control character{'s' if count > 2 else ''} " \
                    "in this text)"
        self.doc.problems.append(Problem(self.doc.label, line,
                                         format_loc(loc) or None if loc else None, text))

    def finish(self) -> None:
        self._flush()
        doc = self.doc
        for field, (count, line, loc) in self.more.items():
            name = format_loc(field) if field else "this part of the file"
            doc.problems.append(Problem(
                doc.label, line, format_loc(loc) or None if loc else None,
                f"and {count:,} more control character{'s' if count > 1 else ''} in "
                f"{name}; remove {'them' if count > 1 else 'it'}"))
        if self.elsewhere:
            doc.problems.append(Problem(
                doc.label, None, None,
                f"and {self.elsewhere:,} more control character"
                f"{'s' if self.elsewhere > 1 else ''} in other fields; remove "
                f"{'them' if self.elsewhere > 1 else 'it'}"))
        self.more, self.elsewhere = {}, 0


def _report_refused(doc: YamlDocument, text: str, controls: _Controls) -> None:
    """Report each character YAML does not allow in a file at its line and value, with
    the control characters found in values (see :class:`_Controls`). One pass over the
    characters in file order against the values' spans sorted by start, so the time is
    linear (not one count of lines per character)."""
    found = []  # (line, loc, char) of refused characters, merged with the values' ones
    if doc.spans is not None:
        spans = sorted(doc.spans, key=lambda s: (s[0], -s[1], len(s[2])))
        stack: list[tuple[int, int, Loc]] = []  # the values open at the current position
        next_span, line, counted_to = 0, 1, 0
        for match in NOT_IN_YAML.finditer(text):
            position = match.start()
            line += text.count("\n", counted_to, position)
            counted_to = position
            while next_span < len(spans) and spans[next_span][0] <= position:
                span = spans[next_span]
                next_span += 1
                while stack and stack[-1][1] <= span[0]:
                    stack.pop()
                stack.append(span)
            while stack and stack[-1][1] <= position:
                stack.pop()
            loc = stack[-1][2] if stack else None
            if found and found[-1][:2] == (line, loc):
                found[-1][3] += 1  # one entry per text and line, however many characters
            else:
                found.append([line, loc, match.group(), 1])
    # with those found in values (escapes such as "\a"), in the order of the file
    for line, loc, char, count in sorted(found + doc.controls_found, key=lambda f: f[0]):
        controls.add(line, loc, char, count)
    doc.controls_found = []
    controls.finish()


def _convert(node, loc: Loc, doc: YamlDocument, counter: list[int]):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooBig()
    doc.lines.setdefault(loc, doc.editor_line(node.start_mark.line))
    if doc.spans is not None:
        doc.spans.append((node.start_mark.index, node.end_mark.index, loc))
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTIONS:
        # "!!python/object:…", "!!set", "!mine": nothing here makes objects from tags
        kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
        doc.problems.append(doc.problem(
            loc, f"unsupported YAML tag {_show_tag(node.tag)}; remove it and write a plain {kind}"))
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                doc.problems.append(doc.problem(loc, "a key must be a plain name"))
                continue
            key = key_node.value
            if key_node.tag not in _SCALARS and key_node.tag != "!":
                doc.problems.append(Problem(
                    doc.label, doc.editor_line(key_node.start_mark.line), format_loc(loc) or None,
                    f"unsupported YAML tag {_show_tag(key_node.tag)} on the key {_short(key)!r}; "
                    "write a plain name"))
                continue
            match = CONTROL_CHARS.search(key)
            if match:
                doc.controls_found.append([doc.editor_line(key_node.start_mark.line), loc,
                                           match.group(), len(CONTROL_CHARS.findall(key))])
                continue
            if key == "<<":
                doc.problems.append(Problem(doc.label, doc.editor_line(key_node.start_mark.line),
                                            format_loc(loc) or None,
                                            "YAML merge keys (<<) are not supported"))
                continue
            child = loc + (key,)
            if key in out:
                doc.problems.append(Problem(
                    doc.label, doc.editor_line(key_node.start_mark.line), format_loc(child),
                    f"duplicate key (first given on line {doc.lines[child]})"))
                if doc.spans is not None:  # a refused character in it still names the field
                    doc.spans.append((value_node.start_mark.index, value_node.end_mark.index,
                                      child))
                continue
            doc.lines[child] = doc.editor_line(key_node.start_mark.line)
            out[key] = _convert(value_node, child, doc, counter)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loc + (i,), doc, counter) for i, item in enumerate(node.value)]
    # scalar
    tag = node.tag
    if tag == "!":  # quoted or non-specific: a string
        tag = "tag:yaml.org,2002:str"
    convert = _SCALARS.get(tag)
    if convert is None:
        doc.problems.append(doc.problem(loc, f"unsupported YAML tag {_show_tag(tag)}; "
                                             "remove it and write plain text"))
        return None
    if tag == "tag:yaml.org,2002:int" and len(node.value.lstrip("+-")) > MAX_DIGITS:
        return LongNumber(node.value)  # int() refuses 4,300 digits and more; no field wants them
    value = convert(node.value)
    if isinstance(value, str):
        match = CONTROL_CHARS.search(value)
        if match:
            count = sum(1 for _ in CONTROL_CHARS.finditer(value))
            doc.controls_found.append([doc.line_of(loc), loc, match.group(), count])
        if REPLACEMENT in value:
            doc.problems.append(doc.problem(
                loc, f"contains {REPLACEMENT} (U+FFFD), left where a character was lost to a "
                     "wrong text encoding; retype the character", "warning"))
    return value


_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _show_tag(tag: str) -> str:
    """A tag as it was written: '!!python/object:os.system', '!mine'."""
    tag = _short(tag)
    return repr("!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:")
                else tag)


def _short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


class _TooBig(Exception):
    pass


def _too_deep(text: str, line_of=_plus_one) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, or None. Reads the event
    stream, which does not recurse, before anything composes the (recursive) node tree."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return line_of(event.start_mark.line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # a syntax error: composing reports it, with its place
    return None


def read_yaml_safely(path: Path, label: str, base: Path | None = None) -> YamlDocument:
    try:
        return read_yaml(path, label, base=base)
    except _TooBig:
        doc = YamlDocument(path, label)
        doc.problems.append(Problem(label, None, None,
                                    f"the file expands to more than {MAX_NODES:,} values "
                                    "(too many YAML aliases?)"))
        return doc
    except RecursionError:
        doc = YamlDocument(path, label)
        doc.problems.append(Problem(label, None, None, "the file is nested too deeply"))
        return doc
