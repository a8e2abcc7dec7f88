"""Issue 14: hostile repositories, broken images and failing machines end in clear errors.

Each case runs the real command line (or, for the many git attacks, the module that reads
the repository) and checks what an editor would see: a one-line error naming the file,
exit status 1, no traceback, the last good PDF kept, no program run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from programme import gitrev
from programme.changes import load_since

from .conftest import run_cli
from .test_watch import wait_for as wait_for_line


# ------------------------------------------------------------------ 1. git attacks
def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.email=e@example.org", "-c", "user.name=Editor",
                             *args], cwd=cwd, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def git_fires(cwd: Path, marker: Path, *args: str) -> bool:
    """Whether git itself runs the planted program (the attack is real)."""
    subprocess.run(["git", *args], cwd=cwd, capture_output=True,
                   env={**os.environ, "GIT_PAGER": "", "PAGER": ""})
    fired = marker.exists()
    marker.unlink(missing_ok=True)
    return fired


@pytest.fixture
def repo(project) -> Path:
    """The example content as its own git repository (as in the issue), with files that
    name a filter and a diff driver committed, and one commit before the last."""
    content = project / "content"
    (content / ".gitattributes").write_text("* filter=evil diff=evil\n")
    git(content, "init", "-q")
    git(content, "add", "-A")
    git(content, "commit", "-qm", "first")
    film = content / "films" / "undertow.yaml"
    film.write_text(film.read_text().replace("runtime: ", "runtime: 1", 1))
    git(content, "commit", "-qam", "second")
    return content


def touch_all(content: Path) -> None:
    """New dates on every film: git must read them again (through any clean filter)."""
    for path in (content / "films").iterdir():
        os.utime(path)


def plant_fsmonitor(content: Path, marker: Path) -> list[str]:
    git(content, "config", "core.fsmonitor", f"touch {marker}; false")
    return ["status", "--porcelain"]


def plant_clean_filter(content: Path, marker: Path) -> list[str]:
    git(content, "config", "filter.evil.clean", f"sh -c 'touch {marker}; cat'")
    git(content, "config", "filter.evil.smudge", f"sh -c 'touch {marker}; cat'")
    git(content, "config", "filter.evil.required", "true")
    touch_all(content)
    return ["status", "--porcelain"]


def plant_process_filter(content: Path, marker: Path) -> list[str]:
    git(content, "config", "filter.evil.process", f"touch {marker}")
    touch_all(content)
    return ["status", "--porcelain"]


def plant_hooks(content: Path, marker: Path) -> list[str]:
    hooks = content / ".git" / "evil-hooks"
    hooks.mkdir()
    for name in ("post-index-change", "post-checkout", "pre-commit", "reference-transaction",
                 "pre-auto-gc", "fsmonitor-watchman"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / name).chmod(0o755)
    git(content, "config", "core.hooksPath", str(hooks))
    touch_all(content)
    return ["status", "--porcelain"]


def plant_diff_drivers(content: Path, marker: Path) -> list[str]:
    git(content, "config", "diff.evil.textconv", f"sh -c 'touch {marker}; cat \"$1\"' -")
    git(content, "config", "diff.external", f"touch {marker}")
    git(content, "config", "core.pager", f"touch {marker}; cat")
    git(content, "config", "log.showSignature", "true")
    git(content, "config", "gpg.program", f"touch {marker}")
    git(content, "config", "credential.helper", f"!touch {marker}")
    git(content, "config", "core.sshCommand", f"touch {marker}")
    film = content / "films" / "undertow.yaml"
    film.write_text(film.read_text() + "# edited\n")
    return ["diff", "HEAD"]


ATTACKS = {"fsmonitor": plant_fsmonitor, "clean-filter": plant_clean_filter,
           "process-filter": plant_process_filter, "hooks": plant_hooks,
           "diff-drivers": plant_diff_drivers}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_repository_config_runs_no_program(repo, tmp_path, attack):
    marker = tmp_path / "PWNED"
    head = git(repo, "rev-parse", "--short", "HEAD")
    first = git(repo, "rev-parse", "--short", "HEAD~1")
    args = ATTACKS[attack](repo, marker)
    assert git_fires(repo, marker, *args), "git itself no longer falls for this attack"
    dirty = attack == "diff-drivers"  # that one edits a film, the others only touch them

    assert gitrev.revision(repo) == f"git {head}" + (" (modified)" if dirty else "")
    films, label = load_since("HEAD~1", repo)
    assert label == "git HEAD~1" and "undertow" in films and len(films) == 14
    assert load_since(first, repo)[0] == films
    assert not marker.exists()


@pytest.mark.slow
def test_proof_in_a_hostile_repository_runs_nothing(repo, tmp_path):
    """Every attack at once, through the command line, with a `git` on PATH that would
    leave a mark: programme never runs git at all."""
    marker = tmp_path / "PWNED"
    for plant in ATTACKS.values():
        plant(repo, marker)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    (fake / "git").chmod(0o755)
    head = git(repo, "rev-parse", "--short", "HEAD")
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}",
           "GIT_DIR": str(tmp_path / "elsewhere"), "GIT_CONFIG_PARAMETERS": "'x.y=1'"}
    result = subprocess.run([sys.executable, "-m", "programme", "proof", "content", "--film",
                             "undertow", "--since", "HEAD~1", "-o", "p.pdf"],
                            cwd=repo.parent, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "changes since git HEAD~1: 1 changed" in result.stdout
    assert not marker.exists()
    snapshot = json.loads((repo.parent / "p.snapshot.json").read_text())
    assert snapshot["revision"] == f"git {head} (modified)"  # the edited film


@pytest.mark.slow
def test_revision_reads_packed_repositories_and_ignores(repo):
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert gitrev.revision(repo) == f"git {head}"
    git(repo, "tag", "-a", "v1", "-m", "v1", "HEAD~1")
    git(repo, "gc", "-q", "--aggressive", "--prune=now")  # packed objects, deltas, refs
    assert list((repo / ".git" / "objects" / "pack").glob("*.pack"))
    assert gitrev.revision(repo) == f"git {head}"
    assert load_since("v1", repo)[0] == load_since("HEAD~1", repo)[0]
    assert load_since("v1", repo)[0] != load_since("HEAD", repo)[0]

    (repo / "notes.txt").write_text("untracked")
    assert gitrev.revision(repo) == f"git {head} (modified)"
    (repo / ".git" / "info" / "exclude").write_text("*.txt\n")
    assert gitrev.revision(repo) == f"git {head}"  # ignored, as git status says
    venues = repo / "venues.yaml"
    venues.write_text(venues.read_text() + "# staged\n")
    git(repo, "add", "venues.yaml")
    git(repo, "checkout", "-q", "HEAD", "--", "venues.yaml")  # staged, then undone
    assert gitrev.revision(repo) == f"git {head}"
    venues.chmod(0o755)
    assert gitrev.revision(repo) == f"git {head} (modified)"


@pytest.mark.slow
def test_unknown_revision_is_a_located_error(repo):
    for revision in ("no-such-branch", "../../etc/passwd", "HEAD~99", "@{-1}"):
        result = run_cli("proof", "content", "--film", "undertow", "--since", revision,
                         "-o", "p.pdf", cwd=repo.parent)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("--since: unknown git revision"), result.stderr
        assert "Traceback" not in result.stderr


# ------------------------------------------------------------ 10. watch keeps going
def test_watch_reports_an_internal_error_and_keeps_watching(project, monkeypatch):
    import errno
    import queue
    import threading
    from types import SimpleNamespace

    from programme import watch as watching

    calls = []

    def build_pdf(content_dir, output, **options):
        calls.append(output)
        if len(calls) == 1:
            raise ValueError("Exceeds the limit (4300 digits) \x1b[2J")
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(output))
        return SimpleNamespace(warnings=["a warning with \x1b]0;title\x07 in it"], pages=40)

    monkeypatch.setattr(watching, "build_pdf", build_pdf)
    lines: queue.Queue = queue.Queue()
    stop = threading.Event()
    out = project / "out" / "brochure.pdf"
    thread = threading.Thread(target=watching.watch, daemon=True,
                              args=(project / "content", out, None, lines.put),
                              kwargs={"stop": stop})
    seen: list[str] = []

    def wait_for(needle: str) -> str:
        return wait_for_line(lines, needle, seen, timeout=30)

    film = project / "content" / "films" / "undertow.yaml"
    thread.start()
    try:
        wait_for("start: failed; kept the last good")
        assert seen[-2] == ("internal error: ValueError: Exceeds the limit (4300 digits) "
                            "\\x1b[2J (a bug in programme; set PROGRAMME_DEBUG=1 for details)")
        film.write_text(film.read_text() + "\n")
        wait_for("undertow.yaml: failed")
        assert seen[-2] == "out/brochure.pdf: No space left on device" or \
            seen[-2].endswith("brochure.pdf: No space left on device")
        film.write_text(film.read_text() + "\n")
        wait_for("wrote")
        assert "a warning with \\x1b]0;title\\x07 in it" in seen
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not any("\x1b" in line for line in seen)


# ------------------------------------------------------ 11. stills in unusual modes
def png16(path: Path, pixels, colour_type: int) -> None:
    """A 16-bit PNG written by hand (Pillow writes 16-bit grey only): ``pixels`` a numpy
    array of uint16, (h, w) for grey (colour type 0), (h, w, 3) for RGB (type 2)."""
    import struct
    import zlib

    import numpy as np

    h, w = pixels.shape[:2]
    rows = pixels.astype(">u2").reshape(h, -1).view(np.uint8).reshape(h, -1)
    raw = b"".join(b"\0" + row.tobytes() for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def use_still(content: Path, old: str, new: str) -> None:
    film = content / "films" / (old.rsplit("-", 1)[0] + ".yaml")
    film.write_text(film.read_text().replace(f"file: {old}", f"file: {new}"))


@pytest.fixture
def unusual_stills(project) -> dict[str, object]:
    """Stills in every unusual mode, with the mean grey level of the 16-bit one and the
    mean inks of the CMYK JPEG."""
    import numpy as np
    from PIL import Image

    content = project / "content"
    images = content / "images"
    source = Image.open(images / "undertow-1.jpg").convert("RGB")
    rgb16 = np.asarray(source).astype(np.uint16) * 257
    grey = np.asarray(source.convert("L")).astype(np.uint16) * 257
    png16(images / "undertow-1.png", grey, 0)                   # Pillow: I;16
    assert Image.open(images / "undertow-1.png").mode == "I;16"
    png16(images / "undertow-2.png", rgb16, 2)                  # 16-bit RGB
    use_still(content, "undertow-1.jpg", "undertow-1.png")
    use_still(content, "undertow-2.jpg", "undertow-2.png")
    rust = Image.open(images / "rust-and-bone-1.jpg")
    la = rust.convert("LA")
    la.putalpha(200)
    la.save(images / "rust-and-bone-1.png")                     # grey and alpha
    palette = rust.convert("P", palette=Image.Palette.ADAPTIVE)
    palette.save(images / "rust-and-bone-2.png", transparency=0)  # palette, transparent
    rust.convert("CMYK").save(images / "rust-and-bone-3.jpg")   # CMYK JPEG (Adobe)
    use_still(content, "rust-and-bone-1.jpg", "rust-and-bone-1.png")
    use_still(content, "rust-and-bone-2.jpg", "rust-and-bone-2.png")
    return {"undertow-1.png": float(np.asarray(source.convert("L")).mean()),
            "rust-and-bone-3.jpg": [*(255 - np.asarray(rust.convert("RGB")).reshape(-1, 3)
                                      .astype(float).mean(axis=0)), 0.0]}


def pdf_images(pdf_path: Path) -> dict[str, object]:
    """The PDF's images (not their soft masks) by the still file named in their label."""
    import pikepdf

    from programme.stills import read_label

    found = {}
    with pikepdf.open(pdf_path) as pdf:
        masks = {obj.SMask.objgen for obj in pdf.objects
                 if isinstance(obj, pikepdf.Stream) and "/SMask" in obj}
        for obj in pdf.objects:
            if (isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
                    and obj.objgen not in masks):
                label = read_label(obj)
                image = pikepdf.PdfImage(obj)
                pil = image.as_pil_image()
                pil.load()
                found[Path(label["image"]).name if label else f"#{obj.objgen[0]}"] = (
                    str(obj.get("/ColorSpace")), int(obj.BitsPerComponent), pil)
    return found


@pytest.mark.slow
def test_press_build_converts_stills_in_every_mode(unusual_stills, project):
    import numpy as np

    result = run_cli("build", "content", "--press", "-o", "out/press.pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    images = pdf_images(project / "out" / "press.pdf")
    for name in ("undertow-1.png", "undertow-2.png", "rust-and-bone-1.png",
                 "rust-and-bone-2.png", "rust-and-bone-3.jpg"):
        assert name in images, sorted(images)
    for name, (space, bits, _) in images.items():
        assert bits == 8, name
        assert space in ("/DeviceCMYK", "/DeviceGray"), (name, space)  # no RGB for the press
    assert images["undertow-2.png"][0] == "/DeviceCMYK"
    assert images["rust-and-bone-2.png"][0] == "/DeviceCMYK"
    # the 16-bit grey still keeps its tones (scaled, not clipped to white or read as RGB)
    space, _, grey = images["undertow-1.png"]
    assert space == "/DeviceGray" and grey.size == (1500, 1000)
    assert abs(float(np.asarray(grey).mean()) - unusual_stills["undertow-1.png"]) < 2
    # the CMYK JPEG is not inverted: its inks are those of the file (Pillow's CMYK is
    # 255 - R, G, B and no black)
    space, _, cmyk = images["rust-and-bone-3.jpg"]
    inks = np.asarray(cmyk).reshape(-1, 4).astype(float).mean(axis=0)
    assert space == "/DeviceCMYK"
    assert np.allclose(inks, unusual_stills["rust-and-bone-3.jpg"], atol=3), inks


@pytest.mark.slow
def test_standard_build_embeds_16_bit_stills_as_8_bit(unusual_stills, project):
    import numpy as np

    result = run_cli("build", "content", "-o", "out/brochure.pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    images = pdf_images(project / "out" / "brochure.pdf")
    space, bits, grey = images["undertow-1.png"]
    assert (space, bits) == ("/DeviceGray", 8)
    assert abs(float(np.asarray(grey).mean()) - unusual_stills["undertow-1.png"]) < 2
    assert images["undertow-2.png"][:2] == ("/DeviceRGB", 8)


# ------------------------------------------------------------- 12. failing machines
@pytest.fixture
def tmpfs(tmp_path):
    """Mount small file systems (root only; skipped elsewhere): mount(path, size, ro)."""
    mounted = []

    def mount(path: Path, size: str = "1m", files: dict[str, bytes] | None = None,
              readonly: bool = False) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                 str(path)], capture_output=True, text=True)
        if result.returncode:
            pytest.skip(f"cannot mount a file system here: {result.stderr.strip()}")
        mounted.append(path)
        for name, data in (files or {}).items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
        if readonly:
            subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


OLD_PDF = b"%PDF-1.4\n% the last good PDF\n"


def one_line_error(result, *needles: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    first = result.stderr.splitlines()[0]
    for needle in needles:
        assert needle in first, first
    return first


@pytest.mark.slow
def test_read_only_output_folder(project, tmpfs):
    out = tmpfs(project / "out", files={"brochure.pdf": OLD_PDF}, readonly=True)
    result = run_cli("build", "content", "--no-cache", cwd=project)
    assert one_line_error(result) == ("out/brochure.pdf: Read-only file system; nothing was "
                                      "written.")
    assert (out / "brochure.pdf").read_bytes() == OLD_PDF


@pytest.mark.slow
def test_disk_full_writing_the_output(project, tmpfs):
    out = tmpfs(project / "out", size="64k", files={"proof.pdf": OLD_PDF})
    result = run_cli("proof", "content", "--film", "undertow", cwd=project)
    assert one_line_error(result) == "out/proof.pdf: No space left on device; nothing was written."
    assert (out / "proof.pdf").read_bytes() == OLD_PDF
    assert [p.name for p in out.iterdir()] == ["proof.pdf"]  # no temporary file left


def test_disk_full_imposing(example_pdf, tmp_path, tmpfs):
    out = tmpfs(tmp_path / "out", size="64k", files={"sheets.pdf": OLD_PDF})
    result = run_cli("impose", example_pdf, "-o", out / "sheets.pdf")
    one_line_error(result, "sheets.pdf: No space left on device")
    assert (out / "sheets.pdf").read_bytes() == OLD_PDF


@pytest.mark.slow
def test_read_only_project_builds_without_the_cache(project, tmp_path, tmpfs):
    """The cache cannot be written: a warning, and the brochure all the same."""
    import shutil

    folder = tmpfs(tmp_path / "ro-project", size="64m")
    shutil.copytree(project / "content", folder / "content")
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    out = tmp_path / "elsewhere" / "brochure.pdf"
    result = run_cli("build", "content", "-o", out, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert ".programme-cache" in result.stderr and "Read-only file system" in result.stderr
    assert out.is_file()
    result = run_cli("build", "content", cwd=folder)  # out/ inside the read-only project
    assert one_line_error(result) == "out: Read-only file system; nothing was written."


@pytest.mark.slow
def test_disk_full_writing_a_part(project, tmp_path, tmpfs):
    """The project's disk fills up while parts are cached: the brochure is still made
    (laid out as one document, with a warning); when its own file does not fit either,
    a one-line error and the old file kept."""
    import shutil

    folder = tmpfs(tmp_path / "full-project", size="4500k")
    shutil.copytree(project / "content", folder / "content")
    out = tmp_path / "elsewhere" / "brochure.pdf"
    result = run_cli("build", "content", "-o", out, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    (folder / "out").mkdir()
    (folder / "out" / "brochure.pdf").write_bytes(OLD_PDF)
    result = run_cli("build", "content", cwd=folder)
    assert one_line_error(result) == ("out/brochure.pdf: No space left on device; nothing "
                                      "was written.")
    assert (folder / "out" / "brochure.pdf").read_bytes() == OLD_PDF


def spoiled(example_pdf: Path, tmp_path: Path, name: str, change) -> Path:
    import pikepdf

    target = tmp_path / f"{name}.pdf"
    with pikepdf.open(example_pdf) as pdf:
        save = change(pdf) or {}
        pdf.save(target, **save)
    return target


BROKEN_PDFS = {
    "password": lambda pdf: {"encryption": __import__("pikepdf").Encryption(
        owner="owner", user="secret")},
    "mediabox-name": lambda pdf: setattr(pdf.pages[2].obj, "MediaBox", __import__(
        "pikepdf").Array([0, 0, __import__("pikepdf").Name("/Foo"), 595])),
    "trimbox-short": lambda pdf: setattr(pdf.pages[2].obj, "TrimBox",
                                         __import__("pikepdf").Array([0, 0])),
}
CAUSES = {"password": "protected by a password",
          "mediabox-name": "MediaBox is not four numbers",
          "trimbox-short": "page 3: its TrimBox [ 0 0 ] is not four numbers"}


@pytest.mark.parametrize("broken", sorted(BROKEN_PDFS))
def test_impose_refuses_broken_pdfs_in_one_line(example_pdf, tmp_path, broken):
    source = spoiled(example_pdf, tmp_path, broken, BROKEN_PDFS[broken])
    old = tmp_path / "sheets.pdf"
    old.write_bytes(OLD_PDF)
    result = run_cli("impose", source, "-o", old)
    one_line_error(result, f"{broken}.pdf: ", CAUSES[broken])
    assert old.read_bytes() == OLD_PDF


@pytest.mark.slow
@pytest.mark.parametrize("broken", sorted(BROKEN_PDFS))
def test_preflight_reports_broken_pdfs(example_pdf, tmp_path, broken):
    source = spoiled(example_pdf, tmp_path, broken, BROKEN_PDFS[broken])
    result = run_cli("preflight", source)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    if broken == "password":
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"{source}: the PDF is protected by a password, so it cannot be checked (nor "
            "printed by a print shop): save it without one"]
    else:
        cause = CAUSES[broken].split(": ")[-1]
        assert any(line.startswith(("error: page 3: boxes: ", "error: boxes: ")) and cause in line
                   for line in result.stdout.splitlines()), result.stdout
    report = json.loads(run_cli("preflight", source, "--json").stdout)
    assert report["checks"]["boxes" if broken != "password" else "structure"]["status"] == "ERROR"


# ------------------------------------------------------------- 13. corrupt images
def corrupt_jpegs(still: bytes) -> dict[str, bytes]:
    """Three ways a JPEG is broken that a header check misses."""
    import random

    scan = still.index(b"\xff\xda")
    garbage = bytearray(still)
    chance = random.Random(1)
    for i in range(scan + 200, len(garbage) - 2, 37):
        garbage[i] = chance.randrange(256)
    forged = bytearray(still)
    frame = still.index(b"\xff\xc0")
    forged[frame + 5:frame + 9] = (3000).to_bytes(2, "big") + (4000).to_bytes(2, "big")
    return {"garbage": bytes(garbage),                # end marker still there
            "header-only": still[:602],               # tables and frame, no scan
            "forged-size": bytes(forged)}             # claims 4000 × 3000


def test_decoding_names_each_broken_image(tmp_path):
    from programme.imagecheck import decode_problems

    still = (Path(__file__).parents[1] / "content" / "images" / "undertow-1.jpg").read_bytes()
    paths = []
    for name, data in corrupt_jpegs(still).items():
        paths.append(tmp_path / f"{name}.jpg")
        paths[-1].write_bytes(data)
    good = tmp_path / "good.jpg"
    good.write_bytes(still)
    found = {d.path.name: d.reason for d in decode_problems([good, *paths])}
    assert sorted(found) == ["forged-size.jpg", "garbage.jpg", "header-only.jpg"]
    assert "damaged" in found["garbage.jpg"] and "damaged" in found["forged-size.jpg"]
    assert "cut short" in found["header-only.jpg"]


BROKEN_STILLS = {"garbage": ("undertow-1.jpg", "content/films/undertow.yaml:53: stills[0].file"),
                 "header-only": ("cold-meridian-2.jpg", "content/films/cold-meridian.yaml:"),
                 "forged-size": ("rust-and-bone-3.jpg", "content/films/rust-and-bone.yaml:")}


@pytest.fixture
def broken_stills(project) -> Path:
    images = project / "content" / "images"
    for kind, data in corrupt_jpegs((images / "undertow-1.jpg").read_bytes()).items():
        (images / BROKEN_STILLS[kind][0]).write_bytes(data)
    return project


def assert_names_broken_stills(result) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    for kind, (image, where) in BROKEN_STILLS.items():
        assert any(line.startswith(where) and f"content/images/{image}: the image data is"
                   in line for line in lines), (kind, result.stderr)
    assert lines[-1] == "3 problems found; nothing was written."


@pytest.mark.slow
def test_strict_build_decodes_every_still(broken_stills):
    project = broken_stills
    (project / "out").mkdir()
    (project / "out" / "brochure.pdf").write_bytes(OLD_PDF)
    result = run_cli("build", "content", "--strict", cwd=project)
    assert_names_broken_stills(result)
    assert (project / "out" / "brochure.pdf").read_bytes() == OLD_PDF


@pytest.mark.slow
def test_press_build_decodes_every_still(broken_stills):
    result = run_cli("build", "content", "--press", cwd=broken_stills)
    assert_names_broken_stills(result)
    assert not (broken_stills / "out" / "brochure-press.pdf").exists()


@pytest.mark.slow
def test_preflight_decodes_every_image(example_pdf, tmp_path):
    import pikepdf

    from programme.stills import read_label

    still = (Path(__file__).parents[1] / "content" / "images" / "undertow-1.jpg").read_bytes()
    broken = corrupt_jpegs(still)
    target = tmp_path / "damaged.pdf"
    spoilt: dict[str, str] = {}
    with pikepdf.open(example_pdf) as pdf:
        jpegs = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                 and obj.get("/Subtype") == "/Image" and obj.get("/Filter") == "/DCTDecode"
                 and read_label(obj) and int(obj.Width) == 1500]
        for obj, (kind, data) in zip(jpegs, sorted(broken.items())):
            obj.write(data, filter=pikepdf.Name.DCTDecode)
            if kind == "forged-size":
                obj.Width, obj.Height = 4000, 3000
            spoilt[kind] = read_label(obj)["image"]
        pdf.save(target)
    result = run_cli("preflight", target)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stdout.splitlines()
              if line.startswith("error: ") and "cannot be decoded" in line]
    assert len(errors) == 3, result.stdout
    for kind, image in spoilt.items():
        assert any(f"images: {image} (" in line for line in errors), (kind, errors)
    assert "3 that cannot be decoded" in result.stdout
    clean = run_cli("preflight", example_pdf)
    assert "all decoded whole" in clean.stdout and "cannot be decoded" not in clean.stdout


# ------------------------------------------------- problems printed, never obeyed
def test_problems_and_warnings_are_printed_with_escapes_shown(monkeypatch, project):
    from types import SimpleNamespace

    from click.testing import CliRunner

    import programme.loader as loader
    from programme.cli import main
    from programme.problems import Problem, ProgrammeError

    hostile = "\x1b[2J\x1b]0;owned\x07\rcleared\u202egnp.exe\x9b31m"
    shown = "\\x1b[2J\\x1b]0;owned\\x07\\rcleared\\u202egnp.exe\\x9b31m"
    warning = Problem("content/films/undertow.yaml", 3, "title", hostile, "warning")
    programme = SimpleNamespace(films=[], sections=[], venues=[])
    monkeypatch.setattr(loader, "load_content", lambda root: SimpleNamespace(
        warnings=[warning], programme=programme))
    result = CliRunner().invoke(main, ["validate", str(project / "content")])
    assert result.exit_code == 0, result.output
    assert f"content/films/undertow.yaml:3: warning: title: {shown}" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output

    def refuse(root):
        raise ProgrammeError([Problem("content/festival.yaml", 1, "name", hostile)])

    monkeypatch.setattr(loader, "load_content", refuse)
    result = CliRunner().invoke(main, ["validate", str(project / "content")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"content/festival.yaml:1: name: {shown}",
                                          "1 problem found; nothing was written."]

    def crash(root):
        raise ValueError(hostile)

    monkeypatch.setattr(loader, "load_content", crash)
    result = CliRunner().invoke(main, ["validate", str(project / "content")])
    assert result.exit_code == 2
    assert result.output.startswith(f"internal error: ValueError: {shown}\n")
    assert "\x1b" not in result.output


def test_printable_keeps_ordinary_text():
    from programme.terminal import printable

    text = "Émilie’s “Rust and Bone” – 12\u00a0October · 東京物語 · ‏"
    assert printable(text) == text.replace("\u200f", "\\u200f")
    assert printable("tab\there\nnext") == "tab\\there\\nnext"


@pytest.mark.parametrize("trap", ["fifo-head", "zero-index", "fifo-gitignore", "zero-config"])
def test_repository_files_that_are_not_files_are_never_read(repo, trap):
    """A named pipe would hang a reader, /dev/zero would fill its memory: the revision
    falls back (or goes on) without reading them."""
    git_dir = repo / ".git"
    head = git(repo, "rev-parse", "--short", "HEAD")
    if trap == "fifo-head":
        (git_dir / "HEAD").unlink()
        os.mkfifo(git_dir / "HEAD")
        expected = None
    elif trap == "zero-index":
        (git_dir / "index").unlink()
        (git_dir / "index").symlink_to("/dev/zero")
        expected = None
    elif trap == "fifo-gitignore":
        os.mkfifo(repo / "films" / ".gitignore")
        expected = f"git {head} (modified)"  # an untracked file, as git says
    else:
        (git_dir / "config").unlink()
        (git_dir / "config").symlink_to("/dev/zero")
        expected = f"git {head}"
    assert gitrev.revision(repo) == expected
