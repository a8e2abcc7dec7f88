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
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


class _Loader(yaml.SafeLoader):
    """SafeLoader with a small, predictable set of implicit types (close to YAML 1.2 core)."""

    yaml_implicit_resolvers: dict = {}


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
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
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        doc.problems.append(Problem(label, line, None, f"YAML syntax error: {what}"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(label, None, None, f"YAML error: {exc}"))
        return doc
    if node is None:
        doc.data = None
        return doc
    counter = [0]
    doc.lines[()] = 1  # a problem with the file as a whole (a missing field) points at line 1
    doc.data = _convert(node, (), doc, counter)
    return doc


def _convert(node, loc: Loc, doc: YamlDocument, counter: list[int]):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooBig()
    doc.lines.setdefault(loc, node.start_mark.line + 1)
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
    return value


class _TooBig(Exception):
    pass


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
