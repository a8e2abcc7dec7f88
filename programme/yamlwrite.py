"""Writing film files for ``programme import``: new files in the content folder's own
style, and changed files updated in place, their comments and key order kept.

A new file is written here directly (fast: a 2 000-film import writes 2 000 files), in the
style of the example content: keys in the order of the README, short lists in brackets
(``countries: [France, Belgium]``), long text as a folded block (``>-``) wrapped at 88
columns, text quoted only where YAML needs it. A changed file is loaded with ruamel.yaml's
round-trip loader, only the changed keys are set (a new key goes where the README order
puts it), and it is dumped again: comments, key order, flow or block style and quoting
of everything else stay as they were.

Every text written is read back with programme's own YAML reader
(:func:`check_round_trip`) and must give exactly the data intended, so a quirk of either
writer can never put something in a file that reads differently.
"""

from __future__ import annotations

import io
import json
import re

from .yamlfile import CONTROL_CHARS, YamlDocument, _convert, _FastLoader

WIDTH = 88  # the example content's line length

# The order of a film file's keys, as in the README (and of the mappings inside it).
FILM_ORDER = ["slug", "title", "original_title", "original_language", "tagline", "section",
              "credits", "countries", "year", "runtime", "distributor", "review", "statement",
              "biography", "filmography", "stills", "screenings"]
NESTED_ORDER = {
    "credits": ["director", "producer", "screenwriter", "cast"],
    "distributor": ["label", "name"],
    "review": ["text", "by", "lang"],
    "statement": ["text", "by", "lang"],
    "biography": ["text", "lang"],
}
SCREENING_ORDER = ["venue", "start", "certificate", "sold_out", "subtitled", "audio_described",
                   "note"]

# What programme's reader (and YAML 1.1 readers: yes, no, on, off) would not read as text.
_SPECIAL = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|"
    r"off|Off|OFF|y|Y|n|N|[-+]?[0-9][0-9_]*|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|"
    r"[-+]?[0-9]+[eE][-+]?[0-9]+|0x[0-9a-fA-F]+|0o?[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|"
    r"[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")
_FIRST = set("-?:,[]{}#&*!|>'\"%@` \t")
_LINE_BREAKS = re.compile("[\u0085\u2028\u2029\ufeff]")


def _plain_ok(text: str, in_flow: bool = False) -> bool:
    """Whether ``text`` can be written without quotes and read back as the same text."""
    if not text or text != text.strip() or text[0] in _FIRST or _SPECIAL.match(text):
        return False
    if not text.isprintable() or _LINE_BREAKS.search(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if in_flow and any(c in text for c in ",[]{}"):
        return False
    return True


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (JSON's escapes are YAML's too)."""
    out = json.dumps(text, ensure_ascii=False)
    # characters YAML reads as line breaks or a byte order mark, escaped
    return _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def scalar(value, in_flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if _plain_ok(text, in_flow) else quoted(text)


def foldable(text: str) -> bool:
    """Whether ``text`` can be a folded block (``>-``) that reads back exactly: paragraphs
    separated by single line breaks, none starting or ending with a space, printable
    (no-break spaces are kept as they are in a block)."""
    if not text or text != text.strip() or _LINE_BREAKS.search(text):
        return False
    for paragraph in text.split("\n"):
        if not paragraph or paragraph != paragraph.strip():
            return False
        if not all(c.isprintable() or c in _SPACES for c in paragraph):
            return False
    return True


_SPACES = "\u00a0\u202f\u2007\u2009\u200a"


def fold_positions(text: str, width: int) -> list[int]:
    """Where to break ``text`` (indexes of single spaces) so that lines are at most
    ``width`` characters where possible, paragraph by paragraph."""
    positions = []
    start = 0
    for paragraph in text.split("\n"):
        line_start = start
        last_space = None
        for i in range(start, start + len(paragraph)):
            ch = text[i]
            if ch == " " and text[i - 1] != " " and i + 1 < len(text) and text[i + 1] != " ":
                if i - line_start > width and last_space is not None:
                    positions.append(last_space)
                    line_start = last_space + 1
                last_space = i
        if start + len(paragraph) - line_start > width and last_space is not None \
                and last_space >= line_start:
            positions.append(last_space)
        start += len(paragraph) + 1
    return positions


def folded_block(text: str, indent: int) -> str:
    """The lines of a ``>-`` block holding ``text``, indented by ``indent`` spaces."""
    pad = " " * indent
    breaks = set(fold_positions(text, WIDTH - indent))
    lines, current = [], []
    for i, ch in enumerate(text):
        if ch == "\n":
            lines.append("".join(current))
            lines.append("")
            current = []
        elif i in breaks:
            lines.append("".join(current))
            current = []
        else:
            current.append(ch)
    lines.append("".join(current))
    return "\n".join(pad + line if line else "" for line in lines)


def _is_prose(text: str) -> bool:
    return "\n" in text or len(text) > 100


def _value_lines(key: str, value, indent: int) -> list[str]:
    """``key: value`` as lines at ``indent``."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{key}:"]
        for k, v in value.items():
            lines += _value_lines(k, v, indent + 2)
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        if all(isinstance(v, str) for v in value):
            flow = f"{pad}{key}: [" + ", ".join(scalar(v, in_flow=True) for v in value) + "]"
            if len(flow) <= WIDTH:
                return [flow]
            return [f"{pad}{key}:"] + [f"{pad}  - {scalar(v)}" for v in value]
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                first = True
                for k, v in item.items():
                    sub = _value_lines(k, v, indent + 4)
                    if first:
                        sub[0] = f"{pad}  - " + sub[0].lstrip()
                        first = False
                    lines += sub
            else:
                lines.append(f"{pad}  - {scalar(item)}")
        return lines
    if isinstance(value, str) and _is_prose(value) and foldable(value):
        return [f"{pad}{key}: >-", folded_block(value, indent + 2)]
    return [f"{pad}{key}: {scalar(value)}"]


def ordered(data: dict, order: list[str]) -> dict:
    """``data`` with its keys in ``order`` (others after, as they were)."""
    out = {k: data[k] for k in order if k in data}
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def film_in_order(data: dict) -> dict:
    out = ordered(data, FILM_ORDER)
    for key, order in NESTED_ORDER.items():
        if isinstance(out.get(key), dict):
            out[key] = ordered(out[key], order)
    if isinstance(out.get("screenings"), list):
        out["screenings"] = [ordered(s, SCREENING_ORDER) if isinstance(s, dict) else s
                             for s in out["screenings"]]
    return out


def new_film_text(data: dict, comment: str | None = None) -> str:
    """The text of a new film file holding ``data`` (plain dicts, lists, text, numbers)."""
    lines = []
    if comment:
        lines += ["# " + CONTROL_CHARS.sub("", line) for line in comment.splitlines()]
    for key, value in film_in_order(data).items():
        lines += _value_lines(key, value, 0)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ changed files (ruamel)
def _ruamel():
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order and styles kept
    yaml.width = 4096  # never re-wrap lines it did not write
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _ruamel_value(value, indent: int, flow_list: bool | None = None, key: str = ""):
    """A new value as ruamel objects in the content's style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString,
                                          PlainScalarString)

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _ruamel_value(v, indent + 2)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_ruamel_value(v, indent + 4) for v in value)
        if value and all(isinstance(v, str) for v in value):
            one_line = indent + len(key) + 4 + sum(len(v) + 2 for v in value) - 2
            if (flow_list if flow_list is not None else True) and one_line <= WIDTH \
                    and all(_plain_ok(v, in_flow=True) for v in value):
                seq.fa.set_flow_style()
            else:
                seq.fa.set_block_style()
        return seq
    if isinstance(value, str):
        if _is_prose(value) and foldable(value):
            folded = FoldedScalarString(value)
            folded.fold_pos = fold_positions(value, WIDTH - indent - 2)
            return folded
        return PlainScalarString(value) if _plain_ok(value) else DoubleQuotedScalarString(value)
    return value


def _set_in_order(mapping, key: str, value, order: list[str]) -> None:
    """Set ``mapping[key]``; a new key goes after the keys that come before it in ``order``."""
    if key in mapping:
        mapping[key] = value
        return
    place = 0
    keys = list(mapping.keys())
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    for i, existing in enumerate(keys):
        if rank.get(existing, -1) < mine:
            place = i + 1
    mapping.insert(place, key, value)


def updated_film_text(text: str, changes: dict[tuple, object]) -> str:
    """``text`` (a film file) with the values at each path in ``changes`` set (``None``:
    removed), everything else as it was. Paths are tuples of keys: ("runtime",),
    ("credits", "cast"), ("screenings",)."""
    from ruamel.yaml.comments import CommentedMap

    yaml = _ruamel()
    data = yaml.load(text)
    for path, value in changes.items():
        parent = data
        for depth, key in enumerate(path[:-1]):
            if not isinstance(parent.get(key), dict):
                order = FILM_ORDER if depth == 0 else NESTED_ORDER.get(path[0], [])
                _set_in_order(parent, key, CommentedMap(), order)
            parent = parent[key]
        key = path[-1]
        order = NESTED_ORDER.get(path[0], []) if len(path) > 1 else FILM_ORDER
        if value is None:
            parent.pop(key, None)
            continue
        old = parent.get(key)
        if key == "screenings" and isinstance(value, list):
            new_value = _screenings_value(old, value)
        else:
            flow = None
            if hasattr(old, "fa"):
                flow = old.fa.flow_style()
            new_value = _ruamel_value(value, 2 * len(path) - 2, flow_list=flow, key=key)
        _set_in_order(parent, key, new_value, order)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _screenings_value(old, value: list):
    """The new screenings list: a screening that was already in the file (same venue and
    start) keeps its own mapping, style and comments, with only changed keys set."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    olds = list(old) if isinstance(old, list) else []

    def key(item):
        return (str(item.get("venue", "")).strip(), _start_key(item.get("start")))

    by_key = {}
    for item in olds:
        if isinstance(item, dict):
            by_key.setdefault(key(item), item)
    seq = CommentedSeq()
    for new in value:
        previous = by_key.get(key(new))
        if previous is not None:
            for k, v in new.items():
                if previous.get(k) != v or k not in previous:
                    _set_in_order(previous, k, _ruamel_value(v, 6), SCREENING_ORDER)
            for k in [k for k in previous if k not in new]:
                del previous[k]
            seq.append(previous)
        else:
            item = CommentedMap()
            for k, v in ordered(new, SCREENING_ORDER).items():
                item[k] = _ruamel_value(v, 6)
            seq.append(item)
    if isinstance(old, CommentedSeq) and old.fa.flow_style():
        seq.fa.set_flow_style()
    return seq


def _start_key(value) -> str:
    return re.sub(r"[T ]+", " ", str(value or "").strip())


def read_text(text: str, label: str = "<import>"):
    """``text`` read as programme reads a content file: (data, problems)."""
    import yaml

    doc = YamlDocument(None, label)
    node = yaml.compose(text, Loader=_FastLoader)
    data = _convert(node, (), doc, [0]) if node is not None else None
    return data, doc.problems


def check_round_trip(text: str, intended: dict) -> str | None:
    """None when ``text`` reads back (with programme's reader) as ``intended``; else what
    differs."""
    try:
        data, problems = read_text(text)
    except Exception as exc:  # noqa: BLE001 - any failure here is a writer bug, reported
        return f"it does not read back: {exc}"
    if problems:
        return "it reads back with problems: " + "; ".join(p.message for p in problems)
    if data != intended:
        return f"it reads back differently: {_first_difference(data, intended)}"
    return None


def _first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path or 'the file'}: {a!r} instead of {b!r}"
