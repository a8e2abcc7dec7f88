"""A build never crashes on the engine: a worker that dies or fails, or a WeasyPrint the
fast paths were not tested on, gives the one-document brochure with a warning, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys

import pikepdf
import pytest
from PIL import Image, ImageChops

from .pdfcheck import page_texts

pytestmark = pytest.mark.slow


def _cli(*args, **env):
    return subprocess.run([sys.executable, "-m", "programme", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **env})


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The example brochure laid out as one document."""
    from .conftest import EXAMPLE

    folder = tmp_path_factory.mktemp("one")
    import shutil

    shutil.copytree(EXAMPLE, folder / "content")
    out = folder / "one.pdf"
    done = _cli("build", folder / "content", "-o", out, "--one-document", "-q")
    assert done.returncode == 0, done.stderr
    return folder, out


def _boxes(path):
    with pikepdf.open(path) as pdf:
        return [tuple(round(float(v), 2) for v in page.obj[key])
                for page in pdf.pages for key in ("/MediaBox", "/TrimBox", "/BleedBox")]


def _same_document(one, other, tmp_path):
    assert page_texts(one) == page_texts(other)
    assert _boxes(one) == _boxes(other)
    for name, pdf in (("a", one), ("b", other)):
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / name)],
                       check=True)
    pictures = sorted(tmp_path.glob("a-*.png"))
    assert pictures
    for picture in pictures:
        twin = picture.with_name("b" + picture.name[1:])
        difference = ImageChops.difference(Image.open(picture).convert("RGB"),
                                           Image.open(twin).convert("RGB"))
        assert difference.getbbox() is None, picture.name


@pytest.mark.parametrize("fault", ["die:section-gala", "crash:index-titles"])
def test_a_failing_worker_gives_the_one_document_brochure(reference, tmp_path, fault):
    folder, one = reference
    out = tmp_path / "b.pdf"
    done = _cli("build", folder / "content", "-o", out, "--no-cache", "-q",
                PROGRAMME_TEST_FAULT=fault)
    assert done.returncode == 0, done.stderr
    assert "laid out as one document, not in parts: the fast build failed" in done.stderr
    assert done.stderr.count("laid out as one document") == 1
    assert "Traceback" not in done.stderr
    _same_document(one, out, tmp_path)


def test_an_untested_weasyprint_builds_one_document_with_one_warning(reference, tmp_path):
    folder, one = reference
    out = tmp_path / "b.pdf"
    done = _cli("build", folder / "content", "-o", out, "-q",
                PROGRAMME_ENGINE_VERSION="71.0")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "one document" in line]
    assert len(warnings) == 1 and "WeasyPrint 71.0" in warnings[0], done.stderr
    assert "parts laid out" not in done.stdout
    _same_document(one, out, tmp_path)
