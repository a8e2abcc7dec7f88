"""Reading one YAML file into plain data, remembering the line of every key and item.

PyYAML's default (YAML 1.1) resolution surprises editors: ``18:30`` becomes the
integer 1110, ``NO`` (Norway) becomes ``False`` and duplicate keys silently overwrite.
This reader resolves only ``null``, ``true``/``false``, decimal integers and decimal
floats; everything else stays a string for the schema to parse. Duplicate keys,
explicit tags and alias bombs are reported as problems.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .problems import Problem

Loc = tuple  # a path into the data: ("credits", "director", 0)

MAX_NODES = 200_000  # generous for any real content file; stops "billion laughs" alias bombs
MAX_DEPTH = 100  # nesting levels; composing deeper nests recurses in C and can crash
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
# What YAML itself refuses in a file (PyYAML's Reader.NON_PRINTABLE): control characters
# other than tab and line ends, lone surrogates, U+FFFE and U+FFFF.
NOT_IN_YAML = yaml.reader.Reader.NON_PRINTABLE
REPLACEMENT = "\ufffd"  # what a decoder leaves for bytes it could not read


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


class YamlDocument:
    """The data of one YAML file plus the line (1-based) where each part starts."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label  # the file name as shown to the user
        self.data = None
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []
        self.spans: list[tuple[int, int, Loc]] | None = None  # (start, end, loc) of each value

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
            out += ("." if out else "") + str(part)
    return out


def read_yaml(path: Path, label: str, max_bytes: int = 5_000_000) -> YamlDocument:
    doc = YamlDocument(path, label)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem(label, None, None, f"cannot read file: {exc.strerror}"))
        return doc
    if len(raw) > max_bytes:
        doc.problems.append(Problem(label, None, None,
                                    f"file is {len(raw):,} bytes; content files are limited to "
                                    f"{max_bytes:,} bytes"))
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(Problem(label, line, None,
                                    "the file is not UTF-8 text; save it as UTF-8"))
        return doc
    text = text.removeprefix("\ufeff")
    # Characters YAML refuses would stop the parser with no line; replace them by spaces
    # (same length, so positions hold), parse, then report each where it was.
    refused = [(m.start(), m.group()) for m in NOT_IN_YAML.finditer(text)]
    if refused:
        text = NOT_IN_YAML.sub(" ", text)
        doc.spans = []
    too_deep = _too_deep(text)
    if too_deep is not None:
        doc.problems.append(Problem(label, too_deep, None,
                                    f"the file is nested more than {MAX_DEPTH} levels deep"))
        return doc
    try:
        # PyYAML's parser where positions matter (they locate the refused characters).
        node = yaml.compose(text, Loader=_Loader if refused else _FastLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark \
                and exc.context_mark.line != exc.problem_mark.line:
            # "while parsing a flow sequence" → "(in the flow sequence started on line 5)"
            opened = re.sub(r"^while (?:parsing|scanning) (?:an? |the )?", "", exc.context)
            what += f" (in the {opened} started on line {exc.context_mark.line + 1})"
        doc.problems.append(Problem(label, line, None, f"YAML syntax error: {what}"))
        _report_refused(doc, text, refused)
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(label, None, None, f"YAML error: {exc}"))
        return doc
    if node is None:
        doc.data = None
        _report_refused(doc, text, refused)
        return doc
    counter = [0]
    doc.lines[()] = 1  # a problem with the file as a whole (a missing field) points at line 1
    doc.data = _convert(node, (), doc, counter)
    _report_refused(doc, text, refused)
    return doc


def _report_refused(doc: YamlDocument, text: str, refused: list[tuple[int, str]]) -> None:
    """A located error for each character YAML does not allow in a file (one per value)."""
    seen = set()
    for position, char in refused:
        line = text.count("\n", 0, position) + 1
        loc = None
        for start, end, where in doc.spans or ():
            if start <= position < end and (loc is None or len(where) > len(loc)):
                loc = where
        if (line, loc) in seen:
            continue
        seen.add((line, loc))
        doc.problems.append(Problem(doc.label, line, format_loc(loc) if loc else None,
                                    f"contains the control character U+{ord(char):04X}; "
                                    "remove it"))


def _convert(node, loc: Loc, doc: YamlDocument, counter: list[int]):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooBig()
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if doc.spans is not None:
        doc.spans.append((node.start_mark.index, node.end_mark.index, loc))
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                doc.problems.append(doc.problem(loc, "a key must be a plain name"))
                continue
            key = key_node.value
            if key == "<<":
                doc.problems.append(Problem(doc.label, key_node.start_mark.line + 1,
                                            format_loc(loc) or None,
                                            "YAML merge keys (<<) are not supported"))
                continue
            child = loc + (key,)
            if key in out:
                doc.problems.append(Problem(
                    doc.label, key_node.start_mark.line + 1, format_loc(child),
                    f"duplicate key (first given on line {doc.lines[child]})"))
                if doc.spans is not None:  # a refused character in it still names the field
                    doc.spans.append((value_node.start_mark.index, value_node.end_mark.index,
                                      child))
                continue
            doc.lines[child] = key_node.start_mark.line + 1
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
        doc.problems.append(doc.problem(loc, f"unsupported YAML tag {tag!r}; write plain text"))
        return None
    value = convert(node.value)
    if isinstance(value, str):
        match = CONTROL_CHARS.search(value)
        if match:
            doc.problems.append(doc.problem(
                loc, f"contains the control character U+{ord(match.group()):04X}; remove it"))
        if REPLACEMENT in value:
            doc.problems.append(doc.problem(
                loc, f"contains {REPLACEMENT} (U+FFFD), left where a character was lost to a "
                     "wrong text encoding; retype the character", "warning"))
    return value


class _TooBig(Exception):
    pass


def _too_deep(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, or None. Reads the event
    stream, which does not recurse, before anything composes the (recursive) node tree."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # a syntax error: composing reports it, with its place
    return None


def read_yaml_safely(path: Path, label: str) -> YamlDocument:
    try:
        return read_yaml(path, label)
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
