"""The git revision of a content folder, read from the repository's own files.

git itself is never run: a repository's configuration can make git run programs (hooks,
``core.fsmonitor``, filter drivers named in ``.gitattributes``, pagers, diff drivers,
credential helpers, a transport for a lazy fetch…), and a content folder is not trusted
to do that. What is read instead: ``HEAD`` and the refs (loose and packed), the objects
(loose, and in packs with their deltas, also through alternates), the index and the
``.gitignore`` files. No filter is applied to the files compared, so a file that git would
convert (line endings, a clean filter) counts as modified once its date or size changes.

Anything this reader does not understand – a SHA-256 or reftable repository, a split or
sparse index, a damaged or missing object – raises :class:`GitUnreadable`; callers then
fall back (a proof shows a hash of the content instead).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_OBJECT = 64 * 1024 * 1024   # bytes of one object, inflated (commits, trees, YAML)
MAX_DELTA_CHAIN = 10_000
MAX_WORKTREE_FILE = 4_000_000_000  # a file hashed to compare with the index
MAX_SYMREF_DEPTH = 10
HEX40 = re.compile(r"[0-9a-f]{40}")
KNOWN_EXTENSIONS = {"noop", "preciousobjects", "worktreeconfig", "partialclone"}
OBJ_TYPES = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}
OFS_DELTA, REF_DELTA = 6, 7


class GitUnreadable(Exception):
    """The repository cannot be read here (unsupported, damaged or missing data)."""


def _open(path: Path, limit: int):
    """A regular file opened for reading, at most ``limit`` bytes long: a named pipe, a
    device (``/dev/zero``) or a huge file in a repository is refused, never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GitUnreadable(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise GitUnreadable(f"{path.name} is larger than {limit:,} bytes")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read(path: Path, limit: int) -> bytes:
    with _open(path, limit) as handle:
        return handle.read(limit)


# ----------------------------------------------------------------------------- config
def _read_config(path: Path) -> dict[str, str]:
    """A git config file as ``section.key`` (``section.sub.key``) -> last value, lower-cased
    names. Includes are not followed: only a few core and extensions keys are wanted."""
    values: dict[str, str] = {}
    try:
        text = _read(path, 1_000_000).decode("utf-8", "replace")
    except (OSError, GitUnreadable):
        return values
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            m = re.match(r'\[\s*([\w.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]', line)
            section = (m.group(1).lower() + (f".{m.group(2)}" if m.group(2) else "")) if m else ""
            continue
        m = re.match(r"([A-Za-z][\w-]*)\s*(?:=\s*(.*))?$", line)
        if m and section:
            value = (m.group(2) if m.group(2) is not None else "true").split(" #")[0]
            values[f"{section}.{m.group(1).lower()}"] = value.strip().strip('"')
    return values


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.lower() not in ("false", "no", "off", "0", "")


# ------------------------------------------------------------------------------ repo
@dataclass
class IndexEntry:
    mode: int
    sha: str
    size: int
    mtime_s: int
    mtime_ns: int
    stage: int = 0
    skip_worktree: bool = False
    intent_to_add: bool = False


@dataclass
class Repo:
    git_dir: Path
    common_dir: Path
    worktree: Path
    config: dict[str, str] = field(default_factory=dict)
    _packs: list | None = None
    _cache: dict = field(default_factory=dict)

    # ---------------------------------------------------------------- discovery
    @classmethod
    def find(cls, start: Path) -> Repo | None:
        """The repository whose work tree holds ``start`` (as git finds it, without the
        environment), or None."""
        here = Path(os.path.abspath(start))
        try:
            device = here.stat().st_dev
        except OSError:
            return None
        for folder in (here, *here.parents):
            try:
                if folder.stat().st_dev != device:
                    return None  # git does not cross file systems either
            except OSError:
                return None
            dot = folder / ".git"
            git_dir = None
            if dot.is_dir():
                git_dir = dot
            elif dot.is_file():
                try:
                    line = _read(dot, 4096).decode("utf-8", "replace").strip()
                except (OSError, GitUnreadable):
                    return None
                if not line.startswith("gitdir:"):
                    return None
                git_dir = (folder / line[len("gitdir:"):].strip()).resolve()
            if git_dir is None:
                continue
            if not (git_dir / "HEAD").is_file():
                continue  # not a repository: git looks further up too
            common = git_dir
            commondir = git_dir / "commondir"
            if commondir.is_file():
                try:
                    common = (git_dir / _read(commondir, 4096).decode("utf-8").strip()
                              ).resolve()
                except (OSError, UnicodeDecodeError, GitUnreadable):
                    return None
            repo = cls(git_dir, common, folder, _read_config(common / "config"))
            if _bool(repo.config.get("core.bare"), False):
                return None
            repo._check_format()
            return repo
        return None

    def _check_format(self) -> None:
        version = self.config.get("core.repositoryformatversion", "0")
        if version not in ("0", "1"):
            raise GitUnreadable(f"repository format version {version}")
        for key, value in self.config.items():
            if key.startswith("extensions."):
                name = key.split(".", 1)[1]
                if name == "objectformat" and value.lower() == "sha1":
                    continue
                if name == "refstorage" and value.lower() == "files":
                    continue
                if name not in KNOWN_EXTENSIONS:
                    raise GitUnreadable(f"repository extension {name} = {value}")

    # --------------------------------------------------------------------- refs
    def _packed_refs(self) -> dict[str, str]:
        if "packed" not in self._cache:
            refs = {}
            try:
                text = _read(self.common_dir / "packed-refs", 256_000_000).decode(
                    "utf-8", "replace")
            except FileNotFoundError:
                text = ""
            for line in text.splitlines():
                parts = line.split(" ", 1)
                if len(parts) == 2 and HEX40.fullmatch(parts[0]):
                    refs[parts[1].strip()] = parts[0]
            self._cache["packed"] = refs
        return self._cache["packed"]

    def ref(self, name: str) -> str | None:
        """The object id a ref (``HEAD``, ``refs/heads/main``…) points to, or None."""
        for _ in range(MAX_SYMREF_DEPTH):
            if not _valid_ref_name(name):
                return None
            per_worktree = "/" not in name or name.startswith(("refs/bisect/", "refs/worktree/"))
            base = self.git_dir if per_worktree else self.common_dir
            try:
                text = _read(base / name, 4096).decode("ascii").strip()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                text = None
            except UnicodeDecodeError:
                return None
            if text is None:
                return self._packed_refs().get(name)
            if text.startswith("ref:"):
                name = text[4:].strip()
                continue
            if HEX40.fullmatch(text[:40]):
                return text[:40]
            return None
        return None

    def head(self) -> str | None:
        """The commit HEAD points to; None on a branch with no commits yet."""
        sha = self.ref("HEAD")
        return self.peel(sha, "commit") if sha else None

    # ------------------------------------------------------------------ objects
    def _loose(self, sha: str) -> tuple[str, bytes] | None:
        for objects in self._object_dirs():
            path = objects / sha[:2] / sha[2:]
            try:
                with _open(path, MAX_OBJECT) as handle:
                    data = _inflate_stream(handle, MAX_OBJECT + 64)
            except FileNotFoundError:
                continue
            except (OSError, zlib.error) as exc:
                raise GitUnreadable(f"object {sha}: {exc}") from None
            head, sep, body = data.partition(b"\0")
            kind, _, size = head.decode("ascii", "replace").partition(" ")
            if not sep or not size.isdigit() or int(size) != len(body):
                raise GitUnreadable(f"object {sha} is damaged")
            return kind, body
        return None

    def _object_dirs(self) -> list[Path]:
        if "dirs" not in self._cache:
            dirs = [self.common_dir / "objects"]
            try:
                alternates = _read(dirs[0] / "info" / "alternates", 64_000).decode(
                    "utf-8").splitlines()
            except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
                alternates = []
            for line in alternates[:16]:
                line = line.strip()
                if line and not line.startswith("#"):
                    dirs.append((dirs[0] / line).resolve())
            self._cache["dirs"] = dirs
        return self._cache["dirs"]

    def _pack_list(self) -> list[_Pack]:
        if self._packs is None:
            self._packs = []
            for objects in self._object_dirs():
                for idx in sorted((objects / "pack").glob("pack-*.idx")):
                    pack = idx.with_suffix(".pack")
                    if pack.is_file():
                        self._packs.append(_Pack(idx, pack))
        return self._packs

    def read(self, sha: str) -> tuple[str, bytes]:
        """(type, bytes) of an object, checked against its id."""
        sha = sha.lower()
        if sha in self._cache:
            return self._cache[sha]
        found = self._loose(sha)
        if found is None:
            for pack in self._pack_list():
                offset = pack.find(sha)
                if offset is not None:
                    found = pack.read_at(offset, self)
                    break
        if found is None:
            raise GitUnreadable(f"object {sha} is missing")
        kind, body = found
        check = hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest()
        if check != sha:
            raise GitUnreadable(f"object {sha} is damaged")
        if kind in ("commit", "tag", "tree") and len(body) < 1_000_000:
            self._cache[sha] = found
        return found

    def peel(self, sha: str, want: str) -> str:
        """Follow tags (and, for a tree, a commit) to an object of type ``want``."""
        for _ in range(MAX_SYMREF_DEPTH):
            kind, body = self.read(sha)
            if kind == want:
                return sha
            if kind == "tag":
                sha = _header(body, "object") or ""
            elif kind == "commit" and want == "tree":
                sha = _header(body, "tree") or ""
            else:
                break
            if not HEX40.fullmatch(sha):
                break
        raise GitUnreadable(f"{sha} is not a {want}")

    def parents(self, commit: str) -> list[str]:
        kind, body = self.read(commit)
        if kind != "commit":
            raise GitUnreadable(f"{commit} is not a commit")
        head = body.split(b"\n\n", 1)[0].decode("utf-8", "replace")
        return [line[7:47] for line in head.splitlines() if line.startswith("parent ")]

    def tree(self, sha: str) -> list[tuple[int, str, str]]:
        """(mode, name, sha) of a tree's entries."""
        kind, body = self.read(sha)
        if kind != "tree":
            raise GitUnreadable(f"{sha} is not a tree")
        entries, i = [], 0
        while i < len(body):
            space = body.index(b" ", i)
            nul = body.index(b"\0", space)
            mode = int(body[i:space], 8)
            name = body[space + 1:nul].decode("utf-8", "surrogateescape")
            entries.append((mode, name, body[nul + 1:nul + 21].hex()))
            i = nul + 21
        return entries

    def subtree(self, commit: str, path: str) -> str | None:
        """The tree at ``path`` (posix, relative to the top) in a commit, or None."""
        sha = self.peel(commit, "tree")
        for part in PurePosixPath(path).parts if path else ():
            match = [s for mode, name, s in self.tree(sha) if name == part and mode == 0o40000]
            if not match:
                return None
            sha = match[0]
        return sha

    def files(self, tree: str, prefix: str = "") -> dict[str, tuple[int, str]]:
        """Every file below a tree: path (``prefix`` + posix path) -> (mode, sha)."""
        out: dict[str, tuple[int, str]] = {}
        stack = [(tree, prefix)]
        while stack:
            sha, base = stack.pop()
            for mode, name, child in self.tree(sha):
                if mode == 0o40000:
                    stack.append((child, f"{base}{name}/"))
                else:
                    out[base + name] = (mode, child)
        return out

    # ------------------------------------------------------------------ revisions
    def resolve(self, revision: str) -> str:
        """The commit a revision names: a ref, an object id (or 4+ digits of one), ``@``,
        each optionally followed by ``~N``, ``^N``, ``^{commit}`` or ``^{}``."""
        m = re.fullmatch(r"([^~^]*)((?:~\d*|\^\d*|\^\{(?:commit|)\})*)", revision)
        if not m:
            raise KeyError(revision)
        base, suffixes = m.groups()
        sha = self._base(base)
        if sha is None:
            raise KeyError(revision)
        if suffixes:
            sha = self.peel(sha, "commit")
        for op, number in re.findall(r"(~|\^\{(?:commit|)\}|\^)(\d*)", suffixes):
            if op.startswith("^{"):
                continue
            n = int(number) if number else 1
            if op == "~":
                for _ in range(n):
                    parents = self.parents(sha)
                    if not parents:
                        raise KeyError(revision)
                    sha = parents[0]
            elif n:
                parents = self.parents(sha)
                if len(parents) < n:
                    raise KeyError(revision)
                sha = parents[n - 1]
        return self.peel(sha, "commit")

    def _base(self, name: str) -> str | None:
        if name in ("", "@"):
            return self.ref("HEAD") if name == "@" else None
        if HEX40.fullmatch(name.lower()):
            try:
                self.read(name.lower())
            except GitUnreadable:
                return None
            return name.lower()
        for candidate in (name, f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}",
                          f"refs/remotes/{name}", f"refs/remotes/{name}/HEAD"):
            if candidate == name and "/" not in name and not name.isupper():
                continue  # only HEAD, ORIG_HEAD… are looked up bare
            sha = self.ref(candidate)
            if sha:
                return sha
        if re.fullmatch(r"[0-9a-fA-F]{4,39}", name):
            return self._abbreviated(name.lower())
        return None

    def _abbreviated(self, prefix: str) -> str | None:
        found = set()
        for objects in self._object_dirs():
            folder = objects / prefix[:2]
            if folder.is_dir():
                found.update(prefix[:2] + p.name for p in folder.iterdir()
                             if (prefix[:2] + p.name).startswith(prefix))
        for pack in self._pack_list():
            found.update(pack.starting_with(prefix))
        commits = [sha for sha in found if len(sha) == 40]
        if len(commits) > 1:  # ambiguous unless only one is a commit-ish
            commits = [s for s in commits if self.read(s)[0] in ("commit", "tag")]
        return commits[0] if len(commits) == 1 else None

    # --------------------------------------------------------------------- index
    def index(self) -> tuple[dict[str, IndexEntry], int]:
        """The index's entries and its modification time (ns)."""
        path = self.git_dir / "index"
        try:
            data = _read(path, 1_000_000_000)
            index_mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return {}, 0
        except OSError as exc:
            raise GitUnreadable(f"index: {exc}") from None
        if len(data) < 32 or data[:4] != b"DIRC":
            raise GitUnreadable("the index is damaged")
        version, count = struct.unpack(">II", data[4:12])
        if version not in (2, 3, 4):
            raise GitUnreadable(f"index version {version}")
        entries: dict[str, IndexEntry] = {}
        offset, previous = 12, b""
        try:
            for _ in range(count):
                (_, _, mtime_s, mtime_ns, _, _, mode, _, _, size,
                 sha, flags) = struct.unpack(">10I20sH", data[offset:offset + 62])
                p = offset + 62
                extended = 0
                if version >= 3 and flags & 0x4000:
                    (extended,) = struct.unpack(">H", data[p:p + 2])
                    p += 2
                if version == 4:
                    strip, p = _offset_varint(data, p)
                    end = data.index(b"\0", p)
                    if strip > len(previous):
                        raise GitUnreadable("the index is damaged")
                    name = previous[:len(previous) - strip] + data[p:end]
                    p = end + 1
                else:
                    end = data.index(b"\0", p)
                    name = data[p:end]
                    p = offset + ((p - offset + len(name) + 8) & ~7)
                previous, offset = name, p
                if mode == 0o40000:
                    raise GitUnreadable("a sparse index")
                entries[name.decode("utf-8", "surrogateescape")] = IndexEntry(
                    mode, sha.hex(), size, mtime_s, mtime_ns, (flags >> 12) & 3,
                    bool(extended & 0x4000), bool(extended & 0x2000))
            while offset + 8 <= len(data) - 20:
                signature = data[offset:offset + 4]
                (length,) = struct.unpack(">I", data[offset + 4:offset + 8])
                if signature in (b"link", b"sdir"):
                    raise GitUnreadable("a split or sparse index")
                offset += 8 + length
        except (struct.error, ValueError) as exc:
            raise GitUnreadable(f"the index is damaged ({exc})") from None
        return entries, index_mtime


def _valid_ref_name(name: str) -> bool:
    if name == "HEAD" or re.fullmatch(r"[A-Z_]+HEAD", name):
        return True
    if not name.startswith("refs/") or name.endswith(("/", ".", ".lock")):
        return False
    if ".." in name or "@{" in name or "//" in name or "\\" in name:
        return False
    if any(ord(c) < 0x21 or c in "~^:?*[\x7f" for c in name):
        return False
    return not any(part.startswith(".") for part in name.split("/"))


def _header(body: bytes, key: str) -> str | None:
    for line in body.split(b"\n\n", 1)[0].decode("utf-8", "replace").splitlines():
        if line.startswith(key + " "):
            return line[len(key) + 1:].strip()
    return None


def _offset_varint(data: bytes, p: int) -> tuple[int, int]:
    """git's offset encoding (OFS_DELTA, index v4 path prefixes)."""
    c = data[p]
    p += 1
    value = c & 0x7F
    while c & 0x80:
        c = data[p]
        p += 1
        value = ((value + 1) << 7) | (c & 0x7F)
    return value, p


def _size_varint(data: bytes, p: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        c = data[p]
        p += 1
        value |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return value, p


def _inflate_stream(handle, limit: int) -> bytes:
    """Inflate a zlib stream read from ``handle`` (at its start), at most ``limit`` bytes."""
    inflater = zlib.decompressobj()
    out = bytearray()
    while not inflater.eof:
        chunk = inflater.unconsumed_tail or handle.read(65536)
        if not chunk:
            raise zlib.error("the data ends early")
        out += inflater.decompress(chunk, limit + 1 - len(out))
        if len(out) > limit:
            raise zlib.error(f"more than {limit} bytes")
    return bytes(out)


def _apply_delta(base: bytes, delta: bytes) -> bytes:
    source_size, p = _size_varint(delta, 0)
    target_size, p = _size_varint(delta, p)
    if source_size != len(base) or target_size > MAX_OBJECT:
        raise GitUnreadable("a delta does not fit its base")
    out = bytearray()
    while p < len(delta):
        op = delta[p]
        p += 1
        if op & 0x80:
            offset = size = 0
            for bit in range(4):
                if op & (1 << bit):
                    offset |= delta[p] << (8 * bit)
                    p += 1
            for bit in range(3):
                if op & (0x10 << bit):
                    size |= delta[p] << (8 * bit)
                    p += 1
            size = size or 0x10000
            if offset + size > len(base):
                raise GitUnreadable("a delta copies past its base")
            out += base[offset:offset + size]
        elif op:
            out += delta[p:p + op]
            p += op
        else:
            raise GitUnreadable("a delta is damaged")
    if len(out) != target_size:
        raise GitUnreadable("a delta is damaged")
    return bytes(out)


class _Pack:
    """One pack and its index (version 2)."""

    def __init__(self, idx: Path, pack: Path):
        self.idx_path, self.pack_path = idx, pack
        self._idx: bytes | None = None

    def _load(self) -> bytes:
        if self._idx is None:
            data = _read(self.idx_path, 2_000_000_000)
            if data[:8] != b"\377tOc\0\0\0\2":
                raise GitUnreadable(f"{self.idx_path.name}: not a version 2 pack index")
            self._idx = data
            self.count = struct.unpack(">I", data[8 + 255 * 4:8 + 256 * 4])[0]
        return self._idx

    def _range(self, first: int) -> tuple[int, int]:
        data = self._load()
        start = struct.unpack(">I", data[8 + (first - 1) * 4:8 + first * 4])[0] if first else 0
        end = struct.unpack(">I", data[8 + first * 4:12 + first * 4])[0]
        return start, end

    def _sha(self, i: int) -> bytes:
        base = 8 + 256 * 4 + 20 * i
        return self._idx[base:base + 20]

    def find(self, sha: str) -> int | None:
        raw = bytes.fromhex(sha)
        lo, hi = self._range(raw[0])
        while lo < hi:
            mid = (lo + hi) // 2
            here = self._sha(mid)
            if here == raw:
                return self._offset(mid)
            if here < raw:
                lo = mid + 1
            else:
                hi = mid
        return None

    def starting_with(self, prefix: str) -> list[str]:
        lo, hi = self._range(int(prefix[:2], 16))
        return [h for h in (self._sha(i).hex() for i in range(lo, hi)) if h.startswith(prefix)]

    def _offset(self, i: int) -> int:
        data = self._idx
        base = 8 + 256 * 4 + 24 * self.count
        (offset,) = struct.unpack(">I", data[base + 4 * i:base + 4 * i + 4])
        if offset & 0x80000000:
            large = base + 4 * self.count + 8 * (offset & 0x7FFFFFFF)
            (offset,) = struct.unpack(">Q", data[large:large + 8])
        return offset

    def read_at(self, offset: int, repo: Repo) -> tuple[str, bytes]:
        chain: list[bytes] = []
        with _open(self.pack_path, 1 << 62) as handle:
            while True:
                if len(chain) > MAX_DELTA_CHAIN:
                    raise GitUnreadable("a delta chain is too long")
                handle.seek(offset)
                head = handle.read(32)
                if not head:
                    raise GitUnreadable(f"{self.pack_path.name}: cut short")
                c, p = head[0], 1
                kind, size, shift = (c >> 4) & 7, c & 15, 4
                while c & 0x80:
                    c = head[p]
                    p += 1
                    size |= (c & 0x7F) << shift
                    shift += 7
                if size > MAX_OBJECT:
                    raise GitUnreadable("an object is too large")
                if kind == OFS_DELTA:
                    back, p = _offset_varint(head, p)
                    base_offset = offset - back
                elif kind == REF_DELTA:
                    base_sha = head[p:p + 20].hex()
                    p += 20
                handle.seek(offset + p)
                try:
                    body = _inflate_stream(handle, size)
                except zlib.error as exc:
                    raise GitUnreadable(f"{self.pack_path.name}: {exc}") from None
                if len(body) != size:
                    raise GitUnreadable(f"{self.pack_path.name}: an object is damaged")
                if kind in OBJ_TYPES:
                    result_kind, data = OBJ_TYPES[kind], body
                    break
                if kind == OFS_DELTA:
                    if base_offset <= 0 or base_offset >= offset:
                        raise GitUnreadable(f"{self.pack_path.name}: a delta is damaged")
                    chain.append(body)
                    offset = base_offset
                    continue
                if kind == REF_DELTA:
                    chain.append(body)
                    result_kind, data = repo.read(base_sha)
                    break
                raise GitUnreadable(f"{self.pack_path.name}: unknown object type {kind}")
        for delta in reversed(chain):
            data = _apply_delta(data, delta)
        return result_kind, data


# ------------------------------------------------------------------------- ignores
class _Ignores:
    """.gitignore files and info/exclude (not the user's global excludes file)."""

    def __init__(self, repo: Repo):
        self.repo = repo
        self.by_dir: dict[str, list] = {}
        self.base = _patterns(repo.common_dir / "info" / "exclude", "")

    def _for(self, folder: str) -> list:
        if folder not in self.by_dir:
            parent = self._for(folder.rsplit("/", 1)[0] if "/" in folder else "") \
                if folder else self.base
            own = _patterns(self.repo.worktree / folder / ".gitignore", folder)
            self.by_dir[folder] = parent + own
        return self.by_dir[folder]

    def ignored(self, path: str, is_dir: bool) -> bool:
        folder, _, name = path.rpartition("/")
        for negated, dir_only, anchored, regex, base in reversed(self._for(folder)):
            if dir_only and not is_dir:
                continue
            target = name if not anchored else path[len(base) + 1:] if base else path
            if regex.fullmatch(target):
                return not negated
        return False


def _patterns(path: Path, base: str) -> list:
    try:
        text = _read(path, 1_000_000).decode("utf-8", "replace")
    except (OSError, GitUnreadable):
        return []
    out = []
    for line in text.splitlines()[:10_000]:
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"(?<!\\)\s+$", "", line)
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        if line.startswith(("\\!", "\\#")):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        try:
            out.append((negated, dir_only, anchored, re.compile(_glob(line), re.S), base))
        except re.error:
            continue
    return out


def _glob(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i) and i + 2 == len(pattern) and (i == 0 or pattern[i - 1] == "/"):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# ----------------------------------------------------------------------- the status
def _blob_id(path: Path, st: os.stat_result) -> str:
    digest = hashlib.sha1()
    if stat.S_ISLNK(st.st_mode):
        target = os.fsencode(os.readlink(path))
        digest.update(b"blob %d\0" % len(target) + target)
        return digest.hexdigest()
    with _open(path, MAX_WORKTREE_FILE) as handle:
        digest.update(b"blob %d\0" % st.st_size)
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _worktree_differs(repo: Repo, rel: str, entry: IndexEntry, index_mtime: int) -> bool:
    path = repo.worktree / rel
    try:
        st = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    symlinks = _bool(repo.config.get("core.symlinks"), True)
    if entry.mode == 0o120000 and symlinks:
        if not stat.S_ISLNK(st.st_mode):
            return True
    elif not stat.S_ISREG(st.st_mode):
        return True
    if (_bool(repo.config.get("core.filemode"), True) and entry.mode in (0o100644, 0o100755)
            and bool(st.st_mode & 0o100) != (entry.mode == 0o100755)):
        return True
    same_stat = (st.st_size % 2**32 == entry.size and int(st.st_mtime) % 2**32 == entry.mtime_s
                 and entry.mtime_ns in (0, st.st_mtime_ns % 10**9))
    if same_stat and st.st_mtime_ns < index_mtime:
        return False  # as git: an unchanged date and size, older than the index
    try:
        return _blob_id(path, st) != entry.sha
    except (OSError, GitUnreadable):
        return True


def modified(repo: Repo, folder: Path, commit: str) -> bool:
    """Whether ``folder`` (in the work tree) differs from ``commit``: changes staged or not,
    and files that are neither tracked nor ignored (as ``git status -- folder`` would)."""
    top = relative(repo, folder)
    prefix = f"{top}/" if top else ""
    tree = repo.subtree(commit, prefix.rstrip("/"))
    committed = repo.files(tree, prefix) if tree else {}
    entries, index_mtime = repo.index()
    indexed = {path: e for path, e in entries.items() if path.startswith(prefix)}
    if set(indexed) != set(committed):
        return True
    for path, entry in indexed.items():
        if (entry.stage or entry.intent_to_add
                or committed[path] != (entry.mode, entry.sha)):
            return True
    for path, entry in indexed.items():
        if entry.skip_worktree or entry.mode == 0o160000:
            continue
        if _worktree_differs(repo, path, entry, index_mtime):
            return True
    if repo.config.get("status.showuntrackedfiles", "").lower() == "no":
        return False
    return _has_untracked(repo, prefix, set(entries))


def _has_untracked(repo: Repo, prefix: str, tracked: set[str]) -> bool:
    ignores = _Ignores(repo)
    parts = prefix.rstrip("/").split("/") if prefix else []
    for i in range(1, len(parts) + 1):
        if ignores.ignored("/".join(parts[:i]), True):
            return False  # the folder itself is ignored
    tracked_dirs = {p.rsplit("/", 1)[0] for p in tracked if "/" in p}
    tracked_dirs |= {d for p in tracked_dirs for d in _ancestors(p)}
    stack = [prefix.rstrip("/")]
    while stack:
        folder = stack.pop()
        try:
            children = list(os.scandir(repo.worktree / folder))
        except OSError:
            continue
        for child in children:
            if child.name == ".git":
                continue
            path = f"{folder}/{child.name}" if folder else child.name
            try:
                is_dir = child.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if path in tracked:
                continue
            if ignores.ignored(path, is_dir):
                continue
            if is_dir:
                if (Path(child.path) / ".git").exists() and path not in tracked_dirs:
                    return True  # another repository, untracked
                stack.append(path)
            else:
                return True
    return False


def _ancestors(path: str):
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path


# ---------------------------------------------------------------------------- API
def revision(folder: Path) -> str | None:
    """``git 1a2b3c4``, with `` (modified)`` when the folder differs from that commit, or
    None: not in a git repository, no commit yet, or a repository this module cannot read."""
    try:
        repo = Repo.find(folder)
        if repo is None:
            return None
        commit = repo.head()
        if commit is None:
            return None
        dirty = modified(repo, folder, commit)
    except (GitUnreadable, OSError, ValueError, KeyError, IndexError, struct.error,
            RecursionError, zlib.error):
        return None
    return f"git {commit[:7]}" + (" (modified)" if dirty else "")


def files_at(revision: str, folder: Path, subfolder: str, max_size: int
             ) -> dict[str, bytes | None]:
    """The files directly in ``subfolder`` of ``folder`` at a git revision, name -> bytes
    (None for a file over ``max_size`` bytes); empty when the subfolder did not exist.

    Raises LookupError (not in a repository, unknown revision) or GitUnreadable."""
    repo = Repo.find(folder)
    if repo is None:
        raise LookupError("not in a git repository")
    try:
        commit = repo.resolve(revision)
    except (KeyError, GitUnreadable):
        raise LookupError(f"unknown git revision {revision!r}") from None
    top = relative(repo, folder)
    tree = repo.subtree(commit, f"{top}/{subfolder}" if top else subfolder)
    if tree is None:
        return {}
    out: dict[str, bytes | None] = {}
    for mode, name, sha in repo.tree(tree):
        if mode not in (0o100644, 0o100755):
            continue
        kind, data = repo.read(sha)
        out[name] = data if len(data) <= max_size else None
    return out


def relative(repo: Repo, folder: Path) -> str:
    """``folder`` relative to the top of the work tree (posix, '' for the top)."""
    try:
        rel = Path(os.path.abspath(folder)).relative_to(Path(os.path.abspath(repo.worktree)))
    except ValueError:
        raise GitUnreadable("the folder is outside the repository's work tree") from None
    return "" if str(rel) == "." else rel.as_posix()
