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
        if not paragraph.isprintable() and not all(c.isprintable() or c in _SPACES
                                                   for c in paragraph):
            return False
    return True


_SPACES = "\u00a0\u202f\u2007\u2009\u200a"
_BREAKABLE = re.compile(r"(?<! ) (?! )")  # a single space: a folded line may end there


def fold_positions(text: str, width: int) -> list[int]:
    """Where to break ``text`` (indexes of single spaces) so that lines are at most
    ``width`` characters where possible, paragraph by paragraph."""
    positions = []
    start = 0
    for paragraph in text.split("\n"):
        end = start + len(paragraph)
        line_start, last = start, None
        for match in _BREAKABLE.finditer(text, start, end):
            i = match.start()
            if i - line_start > width and last is not None:
                positions.append(last)
                line_start = last + 1
            last = i
        if end - line_start > width and last is not None and last >= line_start:
            positions.append(last)
        start = end + 1
    return positions


def folded_block(text: str, indent: int) -> str:
    """The lines of a ``>-`` block holding ``text``, indented by ``indent`` spaces."""
    pad = " " * indent
    cuts = sorted(set(fold_positions(text, WIDTH - indent)))
    # a line break inside the text is a blank line in the block
    text_lines = []
    position = 0
    for cut in cuts + [len(text)]:
        chunk = text[position:cut]
        paragraphs = chunk.split("\n")
        for n, paragraph in enumerate(paragraphs):
            if n:
                text_lines.append("")
            text_lines.append(paragraph)
        position = cut + 1
    return "\n".join(pad + line if line else "" for line in text_lines)


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


# ------------------------------------------------------------- changed files (by lines)
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*)[ ]*:(?P<rest>.*)$")
_ITEM_LINE = re.compile(r"^(?P<indent> *)- ")


def _comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _trim(lines: list[str], start: int, end: int, indent: int) -> int:
    """The end of a value's lines ``[start, end)`` without the blank lines and the
    comments (at the key's indentation or less: they introduce what follows) at its end."""
    while end - 1 > start:
        line = lines[end - 1]
        if not line.strip():
            end -= 1
        elif line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= indent:
            end -= 1
        else:
            break
    return end


def _block_key(lines: list[str], line: int | None, key: str) -> tuple[int, str] | None:
    """(indent, what follows the colon) of the key line ``line`` (1-based) if it is
    ``key:`` at the start of a line, else None."""
    if line is None or not 1 <= line <= len(lines):
        return None
    match = _KEY_LINE.match(lines[line - 1])
    if not match or match.group("key") != key:
        return None
    return len(match.group("indent")), match.group("rest")


def _block_value(rest: str) -> bool:
    """Whether what follows a key's colon starts a block (nothing, or a comment)."""
    rest = rest.strip()
    return not rest or rest.startswith("#")


def _spans(lines, lines_of, parent: tuple, keys: list[str], end: int):
    """{key: (start, end, indent)} of the keys of a block mapping, as 0-based line indexes
    (end exclusive, trailing comments and blank lines left out), or None when a key is not
    where it should be."""
    starts = []
    for key in keys:
        found = _block_key(lines, lines_of.get(parent + (key,)), key)
        if found is None:
            return None
        starts.append((lines_of[parent + (key,)] - 1, found[0], key))
    if [s for s, _i, _k in starts] != sorted(s for s, _i, _k in starts):
        return None
    spans = {}
    for n, (start, indent, key) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else end
        spans[key] = (start, _trim(lines, start, stop, indent), indent)
    return spans


def _flow_mapping(item: dict) -> str | None:
    parts = []
    for k, v in item.items():
        if isinstance(v, (dict, list)):
            return None
        parts.append(f"{k}: {scalar(v, in_flow=True)}")
    return "{" + ", ".join(parts) + "}"


def _item_lines(item, indent: int, flow: bool) -> list[str]:
    pad = " " * indent
    if isinstance(item, dict):
        if flow:
            text = _flow_mapping(item)
            if text is not None and len(pad) + 2 + len(text) <= 120:
                return [f"{pad}- {text}"]
        lines = []
        for k, v in item.items():
            sub = _value_lines(k, v, indent + 2)
            if not lines:
                sub[0] = f"{pad}- " + sub[0].lstrip()
            lines += sub
        return lines or [f"{pad}- {{}}"]
    return [f"{pad}- {scalar(item)}"]


def _screenings_lines(lines, lines_of, old: list, new: list, span) -> list[str] | None:
    """The lines of a block list of screenings: each screening already in the file and
    unchanged keeps its own lines (style, comments), changed and new ones are written."""
    start, end, key_indent = span
    _indent, rest = _block_key(lines, start + 1, "screenings")
    if not _block_value(rest) or not old:
        return None
    item_starts = []
    for i in range(len(old)):
        line = lines_of.get(("screenings", i))
        if line is None or not 1 <= line <= len(lines):
            return None
        # the item's line is its dash's line (or, for a mapping, its first key's)
        index = line - 1
        while index > start and not _ITEM_LINE.match(lines[index]):
            index -= 1
        if index <= start or not _ITEM_LINE.match(lines[index]):
            return None
        item_starts.append(index)
    if item_starts != sorted(set(item_starts)):
        return None
    indent = len(_ITEM_LINE.match(lines[item_starts[0]]).group("indent"))
    if indent <= key_indent or any(
            len(_ITEM_LINE.match(lines[s]).group("indent")) != indent for s in item_starts):
        return None
    texts = []
    flows = []
    for n, s in enumerate(item_starts):
        stop = item_starts[n + 1] if n + 1 < len(item_starts) else end
        texts.append(lines[s:stop])
        flows.append(lines[s][indent + 2:].lstrip().startswith("{"))
    by_key = {}
    for n, item in enumerate(old):
        by_key.setdefault(_item_key(item), n)
    out = [lines[start]]
    for item in new:
        n = by_key.get(_item_key(item))
        if n is not None and old[n] == item:
            out += texts[n]
        else:
            flow = flows[n] if n is not None else all(flows)
            out += _item_lines(item, indent, flow)
    return out


def _item_key(item) -> tuple:
    if not isinstance(item, dict):
        return (repr(item),)
    return (str(item.get("venue", "")).strip(), _start_key(item.get("start")))


def patched_film_text(text: str, lines_of: dict, old: dict, new: dict,
                      changes: dict[tuple, object]) -> str | None:
    """``text`` with only the lines of the changed keys written again (the rest of the
    file, comments included, byte for byte as it was), or None when the file is laid out
    in a way this does not handle (then :func:`updated_film_text` does it)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline == "\r\n":  # a file saved on Windows keeps its line ends
        if "\r" in text.replace("\r\n", "") or "\n" in text.replace("\r\n", ""):
            return None
        text = text.replace("\r\n", "\n")
    if "\r" in text or re.search(r"^ *\t", text, re.M) or not text.endswith("\n"):
        return None
    if any(value is None for value in changes.values()):
        return None
    lines = text[:-1].split("\n")
    top = _spans(lines, lines_of, (), list(old), len(lines))
    if top is None or any(indent for _s, _e, indent in top.values()):
        return None
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, new lines)
    replaced: set[str] = set()
    for path in changes:
        key = path[0]
        if len(path) == 1 or key in replaced:
            replaced.add(key)
            continue
        parent = old.get(key)
        span = top.get(key)
        if not isinstance(parent, dict) or span is None or not _block_value(
                _block_key(lines, span[0] + 1, key)[1]):
            replaced.add(key)  # written again whole
    nested: dict[str, list[tuple]] = {}
    for path in changes:
        if path[0] not in replaced:
            nested.setdefault(path[0], []).append(path)
    for key in replaced:
        value = new[key]
        if key in top:
            start, end, _indent = top[key]
            rest = _block_key(lines, start + 1, key)[1].strip()
            if key == "screenings" and isinstance(old.get(key), list) and isinstance(value, list):
                new_lines = _screenings_lines(lines, lines_of, old[key], value, top[key])
            elif rest.startswith("{") and isinstance(value, dict) and _flow_mapping(value) \
                    and len(key) + 2 + len(_flow_mapping(value)) <= WIDTH:
                new_lines = [f"{key}: {_flow_mapping(value)}"]  # a flow mapping stays one
            else:
                new_lines = None
            edits.append((start, end, new_lines or _value_lines(key, value, 0)))
        else:
            edits.append((_insert_at(top, key, FILM_ORDER, lines), None,
                          _value_lines(key, value, 0)))
    for key, paths in nested.items():
        start, end, _indent = top[key]
        children = _spans(lines, lines_of, (key,), list(old[key]), end)
        if children is None:
            return None
        child_indent = min((i for _s, _e, i in children.values()), default=2)
        if child_indent == 0:
            return None
        for path in paths:
            child = path[1]
            value = new[key][child]
            if len(path) != 2:
                return None
            if child in children:
                s, e, indent = children[child]
                edits.append((s, e, _value_lines(child, value, indent)))
            else:
                at = _insert_at(children, child, NESTED_ORDER.get(key, []), lines,
                                first=start + 1)
                edits.append((at, None, _value_lines(child, value, child_indent)))
    edits.sort(key=lambda e: (e[0], e[1] is not None), reverse=True)
    last = None
    for start, end, new_lines in edits:
        stop = start if end is None else end
        if last is not None and stop > last:
            return None  # overlapping edits: leave it to the other writer
        lines[start:stop] = new_lines
        last = start
    return newline.join(lines) + newline


def _insert_at(spans: dict, key: str, order: list[str], lines: list[str],
               first: int | None = None) -> int:
    """The line index where a new ``key`` goes: after the keys before it in ``order``."""
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    before = [span for k, span in spans.items() if rank.get(k, -1) < mine]
    if before:
        return max(end for _s, end, _i in before)
    if spans:
        return min(start for start, _e, _i in spans.values())
    return first if first is not None else len(lines)
