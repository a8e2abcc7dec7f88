"""The part cache is checked, never trusted (issue 14, item 3).

One project is built with the cache, and its cache is kept. Each test puts that cache
back, damages it as a disk, a killed build or a meddling hand would, and builds again:
the build must exit 0 and give the brochure a ``--no-cache`` build gives (the text of
every page, the page count, the fonts and images), laying out again what it cannot
trust, and never open or touch a file outside ``.programme-cache/``.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLE, run_cli
from .pdfcheck import fonts, images, page_texts
from programme import cache as cache_module

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------------------- set-up
class Project:
    def __init__(self, folder: Path):
        self.folder = folder
        self.content = folder / "content"
        self.cache = folder / ".programme-cache"
        self.parts = self.cache / "parts"
        self.pristine = folder.parent / "pristine-cache"
        self.reference = folder.parent / "reference.pdf"
        self.out = folder.parent / "out" / "brochure.pdf"

    def restore(self) -> None:
        """The cache as the first build left it."""
        shutil.rmtree(self.cache, ignore_errors=True)
        shutil.copytree(self.pristine, self.cache, symlinks=True)

    def build(self, *extra) -> subprocess.CompletedProcess:
        done = run_cli("build", self.content, "-o", self.out, "-q", *extra)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done

    def render_pdfs(self) -> list[Path]:
        """The part PDFs, largest first."""
        return sorted(self.parts.glob("render/*/*.pdf"), key=lambda p: -p.stat().st_size)

    def entries(self, kind: str) -> list[Path]:
        return sorted(self.parts.glob(f"{kind}/*/*.json"))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("trust") / "festival"
    shutil.copytree(EXAMPLE, folder / "content")
    project = Project(folder)
    first = project.build()
    assert "10 of 10 parts laid out" in first.stdout
    shutil.copytree(project.cache, project.pristine, symlinks=True)
    again = project.build()
    assert "0 of 10 parts laid out, 10 from the cache" in again.stdout
    done = run_cli("build", project.content, "-o", project.reference, "-q", "--no-cache")
    assert done.returncode == 0, done.stderr
    return project


def _fonts(pdf: Path) -> list[set]:
    """The fonts each page uses (pdffonts, page by page), without the subset tags
    (ABCDEF+): a part renumbered from the cache may hold two subsets of a font, its
    old pages' and its new furniture's, where a fresh layout holds one."""
    pages = len(page_texts(pdf))
    found = []
    for page in range(1, pages + 1):
        rows = subprocess.run(["pdffonts", "-f", str(page), "-l", str(page), str(pdf)],
                              capture_output=True, text=True, check=True).stdout
        found.append({(row.split()[0].split("+", 1)[-1], row.split()[-5], row.split()[-3])
                      for row in rows.splitlines()[2:]})
    return found


def _same_brochure(project: Project) -> None:
    reference, built = project.reference, project.out
    assert page_texts(built) == page_texts(reference)
    assert _fonts(built) == _fonts(reference)
    assert all(f["emb"] == "yes" for f in fonts(built))
    assert [(i["page"], i["width"], i["height"]) for i in images(built)] == [
        (i["page"], i["width"], i["height"]) for i in images(reference)]


def _laid_out(done: subprocess.CompletedProcess) -> int:
    import re

    return int(re.search(r"\((\d+) of 10 parts laid out", done.stdout).group(1))


def _reseal(path: Path, change) -> None:
    """Change an entry and seal it again, as if its digest were right: the fields must
    still be checked."""
    data = cache_module.unseal(path.read_bytes())
    assert data is not None
    change(data)
    path.write_bytes(cache_module.seal(data))


def _outside(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file outside the project, whose access and change times show any use: its
    access time is set before its modification time, so reading it moves it."""
    path = tmp_path / name
    path.write_bytes(data)
    old = time.time() - 3600
    os.utime(path, (old - 60, old))
    return path


def _untouched(path: Path) -> tuple:
    info = path.stat()
    return info.st_atime_ns, info.st_mtime_ns, info.st_size


# ---------------------------------------------------------------------- damaged PDFs
def test_a_truncated_part_pdf_is_laid_out_again(project):
    project.restore()
    pdf = project.render_pdfs()[0]
    data = pdf.read_bytes()
    pdf.write_bytes(data[:len(data) // 2])
    done = project.build()
    assert _laid_out(done) >= 1
    _same_brochure(project)


def test_swapped_part_pdfs_are_laid_out_again(project):
    project.restore()
    a, b = project.render_pdfs()[:2]
    first, second = a.read_bytes(), b.read_bytes()
    a.write_bytes(second)
    b.write_bytes(first)
    done = project.build()
    assert _laid_out(done) >= 2
    _same_brochure(project)


def test_a_garbage_pdf_is_laid_out_again_and_the_next_build_is_from_the_cache(project):
    project.restore()
    project.render_pdfs()[0].write_bytes(b"%PDF-1.7\nnot a PDF at all\n%%EOF\n")
    done = project.build()
    assert _laid_out(done) >= 1
    _same_brochure(project)
    assert _laid_out(project.build()) == 0


# ------------------------------------------------------------------- damaged entries
@pytest.mark.parametrize("pages", [-3, 1000, True])
def test_a_render_entry_with_wrong_pages_is_a_miss(project, pages):
    project.restore()
    entries = project.entries("render")
    assert entries
    # edited by hand: the entry's digest no longer matches
    raw = entries[0]
    text = raw.read_text(encoding="utf-8")
    assert '\\"pages\\": ' in text
    raw.write_text(text.replace('\\"pages\\": ', f'\\"pages\\": {json.dumps(pages)}, '
                                '\\"was\\": ', 1), encoding="utf-8")

    # and sealed again: every field is checked all the same
    def wrong(data):
        data["done"]["pages"] = pages

    for entry in entries[1:]:
        _reseal(entry, wrong)
    done = project.build()
    assert _laid_out(done) == 10
    _same_brochure(project)


def test_render_entries_with_impossible_fields_are_misses(project):
    project.restore()
    damages = [
        lambda d: d["done"].update(pages=2.5),
        lambda d: d["done"].update(lead=-1),
        lambda d: d["done"].update(start=0),
        lambda d: d["done"].update(anchors={"x": 999}),
        lambda d: d["done"].update(resumed=["a", 1, 2]),
        lambda d: d["done"].update(warnings=[["f", "one", None, "m", "warning"]]),
        lambda d: d["done"].update(glyphs={"x": [-5]}),
        lambda d: d["done"].update(placements=[{"page": 1}]),
        lambda d: d["pdf"].update(pages=999),
        lambda d: d.pop("pdf"),
        lambda d: d["done"].update(unexpected=1),
        lambda d: d["done"].update(start=d["done"]["start"] + 1),
    ]
    entries = project.entries("render")
    damages = damages[:len(entries)]
    for entry, damage in zip(entries, damages):
        _reseal(entry, damage)
    done = project.build()
    # (a part may have an entry for a provisional start it no longer has: not used)
    assert _laid_out(done) >= len(damages) - (len(entries) - 10)
    _same_brochure(project)


def test_layout_entries_with_wrong_pages_are_misses(project):
    project.restore()
    for entry in project.entries("layout"):
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace('{\\"pages\\": ', '{\\"pages\\": 100', 1),
                         encoding="utf-8")
    project.build()
    _same_brochure(project)


# --------------------------------------------------------------- nothing outside
def test_latest_entries_naming_files_outside_the_project_are_not_used(project, tmp_path):
    project.restore()
    record = project.entries("record")[0].read_bytes()
    pdf = project.render_pdfs()[0].read_bytes()
    outside_record = _outside(tmp_path, "record.json", record)
    outside_pdf = _outside(tmp_path, "part.pdf", pdf)
    before = (_untouched(outside_record), _untouched(outside_pdf))
    latest = project.entries("latest")
    assert latest
    for index, entry in enumerate(latest):
        if index % 2:  # the old form: paths, as an older programme wrote them
            entry.write_text(json.dumps({"record": str(outside_record),
                                         "pdf": str(outside_pdf)}), encoding="utf-8")
        else:          # sealed, naming files by a relative path out of the cache
            entry.write_bytes(cache_module.seal({
                "layout": f"../../../../{outside_record.name}", "render": str(outside_pdf),
                "record_sha256": cache_module._sha(record),
                "pdf_sha256": cache_module._sha(pdf)}))
    # every part is laid out again, so every latest entry is read
    for entry in project.entries("render"):
        entry.unlink()
    done = project.build()
    assert _laid_out(done) == 10
    _same_brochure(project)
    assert (_untouched(outside_record), _untouched(outside_pdf)) == before


def test_links_in_the_cache_are_not_followed(project, tmp_path):
    project.restore()
    pdf = project.render_pdfs()[0]
    # the same bytes, outside: only the link stands between the cache and these files
    outside = _outside(tmp_path, "part.pdf", pdf.read_bytes())
    pdf.unlink()
    pdf.symlink_to(outside)
    record = project.entries("record")[0]
    outside_record = _outside(tmp_path, "record.json", record.read_bytes())
    record.unlink()
    record.symlink_to(outside_record)
    before = (_untouched(outside), _untouched(outside_record))
    done = project.build()
    assert _laid_out(done) >= 1
    _same_brochure(project)
    assert (_untouched(outside), _untouched(outside_record)) == before
    assert not pdf.is_symlink()   # laid out again, in its place


def test_a_cache_folder_that_is_a_link_is_not_used(project, tmp_path):
    project.restore()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(project.cache), elsewhere)
    project.cache.symlink_to(elsewhere)

    def listing():
        # (the access times of files: listing a folder moves its own)
        return sorted((str(p), p.lstat().st_mtime_ns, p.is_file() and p.lstat().st_atime_ns)
                      for p in (elsewhere / "parts").rglob("*"))

    before = listing()
    try:
        done = project.build()
        assert "part cache cannot be used (.programme-cache is a link)" in done.stderr
        assert _laid_out(done) == 10
        _same_brochure(project)
        assert listing() == before
    finally:
        project.cache.unlink()
        shutil.rmtree(elsewhere, ignore_errors=True)


# ----------------------------------------------------------- killed builds, read-only
def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            pass
        pid -= 1


def test_scratch_files_of_killed_builds_are_removed(project):
    project.restore()
    scratch = project.parts / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    key = "ab" * 32
    dead = scratch / f"{key}.{_dead_pid()}.pdf"
    old = scratch / f"{key}.{os.getpid()}.pdf"        # a running process, but hours old
    fresh = scratch / f"{'cd' * 32}.{os.getpid()}.pdf"  # a build running now
    stale_tmp = project.parts / "render" / ".x.pdf.abc.tmp"
    for path in (dead, old, fresh, stale_tmp):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 half written")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    os.utime(stale_tmp, (hours_ago, hours_ago))
    project.build()
    assert not dead.exists() and not old.exists() and not stale_tmp.exists()
    assert fresh.exists()
    fresh.unlink()


def test_a_read_only_project_builds_without_the_cache(project, tmp_path, monkeypatch):
    """The project folder cannot be written (simulated: every write under it fails as on
    a read-only file system): the build warns once and succeeds without the cache."""
    from programme.build import build_pdf
    from programme.press import Production

    project.restore()
    folder = str(project.folder)
    real_open, real_mkdir = os.open, os.mkdir

    def refused(path) -> bool:
        return os.path.abspath(os.fspath(path)).startswith(folder + os.sep)

    def read_only_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and refused(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def read_only_mkdir(path, *args, **kwargs):
        if refused(path) and not os.path.isdir(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    def read_only(real):
        def opening(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and set(mode) & set("wax+") and refused(
                    file):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(file))
            return real(file, mode, *args, **kwargs)
        return opening

    shutil.rmtree(project.cache)
    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(os, "mkdir", read_only_mkdir)
    monkeypatch.setattr(builtins, "open", read_only(builtins.open))
    monkeypatch.setattr(io, "open", read_only(io.open))
    out = tmp_path / "brochure.pdf"
    result = build_pdf(project.content, out, production=Production(), in_parts=True, jobs=2)
    monkeypatch.undo()
    notes = [w for w in result.warnings if "part cache cannot be used" in str(w)]
    assert len(notes) == 1 and "Read-only file system" in str(notes[0])
    assert result.parts is not None and len(result.parts.rendered) == 10
    assert not project.parts.exists()
    assert page_texts(out) == page_texts(project.reference)


def test_a_read_only_mount_builds_without_the_cache(project, tmp_path):
    """The same on a real read-only file system (a read-only bind mount of the project,
    where the machine allows one)."""
    project.restore()
    out = tmp_path / "brochure.pdf"
    folder = project.folder
    script = (f"mount --bind -o ro {folder} {folder} && exec {sys.executable} -m programme "
              f"build {project.content} -o {out} -q")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {folder} "
                            f"{folder}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no read-only bind mounts here")
    shutil.rmtree(project.cache)
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("part cache cannot be used") == 1, done.stderr
    assert "Read-only file system" in done.stderr
    assert not project.cache.exists()
    assert page_texts(out) == page_texts(project.reference)


# ------------------------------------------------------------------ the code's key
def test_a_change_to_the_code_is_a_new_key(project, tmp_path, monkeypatch):
    """A change to one of programme's source files (simulated on a copy of the package)
    changes every key: the parts cached by the old code are laid out again."""
    package = Path(cache_module.__file__).resolve().parent
    copy = tmp_path / "programme"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_module.source_digest(copy)
    assert before == cache_module.source_digest(package)
    source = copy / "fastbuild" / "scheduler.py"
    source.write_bytes(source.read_bytes() + b"\n# one more line\n")
    cache_module.source_digest.cache_clear()
    assert cache_module.source_digest(copy) != before
    cache_module.source_digest.cache_clear()

    from programme.build import build_pdf
    from programme.press import Production

    project.restore()
    out = tmp_path / "same.pdf"
    build_pdf(project.content, out, production=Production(), in_parts=True, jobs=2)
    same = build_pdf(project.content, out, production=Production(), in_parts=True, jobs=2)
    assert same.parts.rendered == []
    monkeypatch.setattr(cache_module, "source_digest", lambda package=None: "changed code")
    changed = build_pdf(project.content, out, production=Production(), in_parts=True, jobs=2)
    assert len(changed.parts.rendered) == 10 and changed.parts.cached == []
    monkeypatch.setattr(cache_module, "engine_versions", lambda: {"pango": "2.0"})
    monkeypatch.setattr(cache_module, "source_digest", lambda package=None: "changed code")
    newer = build_pdf(project.content, out, production=Production(), in_parts=True, jobs=2)
    assert len(newer.parts.rendered) == 10
