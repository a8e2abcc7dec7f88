"""Proofs read back: stamps on every page, missing fields, changes, overset, contact sheet."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from programme.contact_sheet import BACKGROUND
from programme.proof import OPTIONAL_FIELDS

from .conftest import run_cli
from .pdfcheck import flat, page_texts, run

SEED = "content/films/rust-and-bone.yaml"

# A film with known gaps: no tagline, stills, producer, cast, distributor, review critic,
# statement, biography, filmography or screenings.
SPARSE = """\
title: The Sparse Film
original_title: Le Film clairsemé
original_language: fr
section: love
credits:
  director: [Ada Example]
  screenwriter: [Ada Example]
countries: [France]
year: 2012
runtime: 90
review:
  text: A film with very little said about it.
"""
SPARSE_MISSING = ["tagline", "stills", "credits.producer", "credits.cast", "distributor",
                  "review.by", "statement", "biography", "filmography", "screenings"]


def raw_pages(pdf: Path) -> list[str]:
    """Page texts in content-stream order with all white space removed (rotated text reads whole)."""
    pages = run("pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]
    return [re.sub(r"\s+", "", page) for page in pages]


def proof(project: Path, *args) -> subprocess.CompletedProcess:
    result = run_cli("proof", "content", *args, cwd=project)
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def sparse_project(project):
    (project / "content" / "films" / "the-sparse-film.yaml").write_text(SPARSE, encoding="utf-8")
    return project


@pytest.mark.slow
def test_every_page_is_stamped(project):
    result = proof(project, "--section", "gala", "-o", "gala.pdf")
    assert result.returncode == 0, result.stderr
    pdf = project / "gala.pdf"
    texts = page_texts(pdf)
    raws = raw_pages(pdf)
    assert len(raws) >= 8
    revision = re.search(r"content ((?:git|hash) [\w()]+)", flat(texts[0])).group(1)
    assert revision.startswith("hash ")  # the copied content folder is not a git repository
    for number, raw in enumerate(raws, 1):
        assert "PROOF" in raw, number
        assert re.sub(r"\s", "", f"content {revision}") in raw, number
    # the source file of each entry, in the margin of every page it is on
    sources = {"rust-and-bone": 0, "the-drowned-city": 0, "harbour-lights": 0,
               "the-last-summer-of-anna-weiss": 0}
    for text in texts:
        for slug in sources:
            if f"content/films/{slug}.yaml" in text:
                sources[slug] += 1
    assert all(count >= 1 for count in sources.values()), sources
    assert sources["rust-and-bone"] == 3  # its entry runs over three pages


@pytest.mark.slow
def test_missing_fields_listed_and_shown_in_place(sparse_project):
    result = proof(sparse_project, "--film", "the-sparse-film", "--film", "rust-and-bone",
                   "-o", "p.pdf")
    assert result.returncode == 0, result.stderr
    texts = page_texts(sparse_project / "p.pdf", raw=True)
    summary = flat(texts[0])
    listed = re.search(r"The Sparse Film content/films/the-sparse-film.yaml Missing: "
                       r"((?:[\w.]+, )*[\w.]+)", summary)
    assert listed, summary
    assert listed.group(1).split(", ") == SPARSE_MISSING
    # the seed film lacks nothing, so it is not listed
    assert "rust-and-bone.yaml Missing" not in summary
    entry = flat(" ".join(texts[1:]))
    labels = dict(OPTIONAL_FIELDS)
    for name in SPARSE_MISSING:
        assert f"Missing: {labels[name]}" in entry, name
    assert entry.count("Missing:") == len(SPARSE_MISSING)


def git(project: Path, *args):
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


@pytest.mark.slow
def test_changes_since_git_revision(sparse_project):
    project = sparse_project
    git(project, "init", "-q")
    git(project, "-c", "user.email=e@example.org", "-c", "user.name=Editor", "add", ".")
    git(project, "-c", "user.email=e@example.org", "-c", "user.name=Editor", "commit", "-qm", "v1")
    seed = project / SEED
    seed.write_text(seed.read_text().replace("runtime: 120", "runtime: 121"))
    (project / "content/films/the-road-east.yaml").unlink()
    new = project / "content/films/a-new-film.yaml"
    new.write_text(SPARSE.replace("The Sparse Film", "A New Film"))
    result = proof(project, "--since", "HEAD", "-o", "p.pdf")
    assert result.returncode == 0, result.stderr
    assert "1 changed, 1 new, 1 removed" in result.stdout
    summary = flat(" ".join(page_texts(project / "p.pdf", raw=True)[:2]))
    section = summary[summary.index("Changes since git HEAD"):summary.index("Missing content")]
    assert "CHANGED Rust and Bone content/films/rust-and-bone.yaml runtime 120 → 121" in section
    assert "NEW A New Film content/films/a-new-film.yaml" in section
    assert "REMOVED The Road East the-road-east" in section
    assert section.count("→") == 1  # one field of one film, nothing else
    assert "(modified)" in summary  # the content revision says the tree has changes


@pytest.mark.slow
def test_changes_since_snapshot_and_change_bar(project):
    first = proof(project, "--film", "rust-and-bone", "-o", "first.pdf")
    assert first.returncode == 0, first.stderr
    snapshot = project / "first.snapshot.json"
    assert snapshot.exists()
    seed = project / SEED
    seed.write_text(seed.read_text().replace("by: Jonathan Romney", "by: J. Romney"))
    result = proof(project, "--film", "rust-and-bone", "--since", snapshot, "-o", "second.pdf")
    assert result.returncode == 0, result.stderr
    texts = page_texts(project / "second.pdf", raw=True)
    assert "review.by Jonathan Romney → J. Romney" in flat(texts[0])
    assert flat(texts[0]).count("→") == 1
    # the change bar: magenta in the left margin of the entry's first page, not in the unchanged proof
    def bar_pixels(pdf):
        page = next(i for i, t in enumerate(page_texts(pdf), 1) if "De rouille et d’os" in t)
        out = project / "page"
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page),
                        "-singlefile", str(pdf), str(out)], check=True)
        image = Image.open(f"{out}.png").convert("RGB")
        pixels = image.load()
        return sum(1 for x in range(int(image.width * 0.12)) for y in range(image.height)
                   if (lambda r, g, b: r > 170 and g < 80 and 60 < b < 160)(*pixels[x, y]))
    assert bar_pixels(project / "second.pdf") > 50
    assert bar_pixels(project / "first.pdf") == 0


@pytest.mark.slow
def test_overset_marked_reported_and_strict_fails(project):
    seed = project / SEED
    text = seed.read_text()
    review = text[text.index("review:\n  text: >-\n") + len("review:\n  text: >-\n"):
                  text.index("  by: Jonathan Romney")]
    seed.write_text(text.replace(review, review * 3))
    result = proof(project, "--film", "rust-and-bone", "-o", "p.pdf")
    assert result.returncode == 0, result.stderr
    assert re.search(rf"{SEED}: warning: overset: review takes \d+ lines; the layout allows 24 "
                     r"\(shorten by \d+\)", result.stderr), result.stderr
    summary = flat(page_texts(project / "p.pdf", raw=True)[0])
    assert "Overset: too long for the layout Rust and Bone content/films/rust-and-bone.yaml" in summary

    loose = run_cli("build", "content", "-o", "b.pdf", cwd=project)
    assert loose.returncode == 0 and "warning: overset: review" in loose.stderr
    strict = run_cli("build", "content", "-o", "strict.pdf", "--strict", cwd=project)
    assert strict.returncode == 1
    assert f"{SEED}: overset: review takes" in strict.stderr
    assert "Traceback" not in strict.stderr
    assert not (project / "strict.pdf").exists()


@pytest.mark.slow
def test_unknown_film_or_section(project):
    result = proof(project, "--film", "rust-and-bones", "--section", "gallas", "-o", "p.pdf")
    assert result.returncode == 1
    assert "--film: unknown film 'rust-and-bones' (did you mean 'rust-and-bone'?)" in result.stderr
    assert "--section: unknown section 'gallas' (did you mean 'gala'?)" in result.stderr
    # sections are found by slug or by name, in any case
    assert proof(project, "--section", "GALAS", "-o", "p.pdf").returncode == 0


def count_thumbnails(path: Path) -> int:
    """Connected regions that are not background, on a grid of every other pixel."""
    image = Image.open(path).convert("RGB")
    w, h = image.size
    pixels = image.load()
    seen = set()
    regions = 0
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            if (x, y) in seen or pixels[x, y] == BACKGROUND:
                continue
            regions += 1
            stack = [(x, y)]
            seen.add((x, y))
            while stack:
                cx, cy = stack.pop()
                for nx, ny in ((cx + 2, cy), (cx - 2, cy), (cx, cy + 2), (cx, cy - 2)):
                    if 0 <= nx < w and 0 <= ny < h and (nx, ny) not in seen \
                            and pixels[nx, ny] != BACKGROUND:
                        seen.add((nx, ny))
                        stack.append((nx, ny))
    return regions


@pytest.mark.slow
def test_contact_sheet_has_one_thumbnail_per_page(project):
    result = proof(project, "--section", "love", "--contact-sheet", "-o", "love.pdf")
    assert result.returncode == 0, result.stderr
    pages = len(page_texts(project / "love.pdf"))
    sheet = project / "love.contact.png"
    assert sheet.exists() and pages >= 5
    assert count_thumbnails(sheet) == pages


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["die:typesetter", "crash:typesetter", "untested"])
def test_a_proof_is_laid_out_here_when_its_worker_cannot(project, fault):
    """A proof is laid out by a worker forked from the fork server (WeasyPrint is imported
    there while the content loads); when the worker dies or fails, or WeasyPrint is not
    the release the fast paths are tested on, it is laid out in the command's own
    process: the same proof, no traceback, exit 0."""
    import os

    base = proof(project, "--film", "rust-and-bone", "-o", "base.pdf")
    assert base.returncode == 0, base.stderr
    env = {**os.environ, "PROGRAMME_DEBUG_PARTS": "1"}
    if fault == "untested":
        env["PROGRAMME_ENGINE_VERSION"] = "71.0"
    else:
        env["PROGRAMME_TEST_FAULT"] = fault
    result = subprocess.run([sys.executable, "-m", "programme", "proof", "content", "--film",
                             "rust-and-bone", "-o", "here.pdf"], cwd=project,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr or fault == "crash:typesetter"
    if fault != "untested":  # said, once
        assert result.stderr.count("warning: laid out in this process: the worker") == 1

    def without_times(pdf):  # the stamps carry the minute the proof was built
        return [re.sub(r"\d\d:\d\d", "", page) for page in raw_pages(pdf)]

    assert without_times(project / "here.pdf") == without_times(project / "base.pdf")
