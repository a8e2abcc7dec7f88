"""programme as a package: its version line, where it finds its built-in layouts and fonts,
`programme new`, and a wheel that builds a brochure outside the checkout.

The slow tests build whole brochures; the slowest builds a wheel from a copy of the
checkout, installs it into a fresh virtual environment in a temporary folder (with the
system's site-packages for the heavy dependencies, but programme itself from the wheel:
checked) and runs `programme new` and `programme build` there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from programme import resources
from programme.engine import versions
from programme.render import Layout

from .conftest import EXAMPLE, REPO, run_cli
from .pdfcheck import flat, fonts, page_texts

STARTER_FILES = {"README.md", "content/festival.yaml", "content/sections.yaml",
                 "content/venues.yaml", "content/films/rust-and-bone.yaml",
                 "content/images/rust-and-bone-1.jpg", "content/images/rust-and-bone-2.jpg",
                 "content/images/rust-and-bone-3.jpg"}


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


# ------------------------------------------------------------------------------ --version
def test_version_names_programme_weasyprint_pango_and_harfbuzz():
    import weasyprint

    import programme

    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    found = re.fullmatch(r"programme (\S+) \(WeasyPrint (\S+), Pango (\S+), HarfBuzz (\S+)\)\n",
                         result.stdout)
    assert found, result.stdout
    assert found[1] == programme.__version__
    assert found[2] == weasyprint.__version__
    assert re.fullmatch(r"1\.\d+\.\d+", found[3])      # Pango 1.x
    assert re.fullmatch(r"\d+\.\d+\.\d+", found[4])
    assert versions.library_versions() == {"weasyprint": found[2], "pango": found[3],
                                           "harfbuzz": found[4]}


def test_versions_unknown_rather_than_a_crash_when_the_bindings_differ(monkeypatch):
    """An unexpected WeasyPrint (bindings gone or renamed) gives "unknown", not an error."""
    versions.library_versions.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint.text.ffi", None)  # import fails
    try:
        found = versions.library_versions()
    finally:
        versions.library_versions.cache_clear()
    assert found["pango"] == found["harfbuzz"] == "unknown"
    assert found["weasyprint"] not in ("", "unknown")

    monkeypatch.setattr(versions, "_pango", lambda: 1 / 0)
    try:
        assert versions.library_versions()["pango"] == "unknown"
    finally:
        versions.library_versions.cache_clear()


# ------------------------------------------------------------------------------ built-ins
def test_in_a_checkout_the_built_ins_are_the_top_level_folders():
    assert resources.builtin_layouts() == REPO / "layouts"
    assert resources.builtin_fonts() == REPO / "fonts"
    assert files_under(resources.starter()) == STARTER_FILES


def test_a_projects_own_layout_comes_before_the_built_in_one(tmp_path):
    assert Layout.find(None, "brochure", tmp_path).folder == REPO / "layouts" / "brochure"
    mine = tmp_path / "layouts" / "brochure"
    shutil.copytree(REPO / "layouts" / "brochure", mine)
    shutil.copytree(REPO / "fonts", tmp_path / "fonts")
    layout = Layout.find(None, "brochure", tmp_path)
    assert layout.folder == mine.resolve()
    assert layout.font_dirs[0] == (tmp_path / "fonts").resolve()
    assert layout.font_dirs[-1] == REPO / "fonts"


def test_the_starter_film_is_the_example_festivals_first_film():
    """programme new hands out the example's Rust and Bone, stills and all: keep them equal
    (copy content/films/rust-and-bone.yaml and its stills to programme/starter/content)."""
    starter = resources.starter() / "content"
    for name in ("films/rust-and-bone.yaml", "images/rust-and-bone-1.jpg",
                 "images/rust-and-bone-2.jpg", "images/rust-and-bone-3.jpg",
                 "festival.yaml"):
        assert (starter / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


# ------------------------------------------------------------------------------ programme new
def test_new_makes_a_project_that_validates(tmp_path):
    result = run_cli("new", "fest", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "programme build" in result.stdout
    project = tmp_path / "fest"
    assert files_under(project) == STARTER_FILES | {".gitignore"}
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "1 sections" in result.stdout and "3 venues" in result.stdout
    assert result.stderr == ""  # not even a warning


def test_new_into_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run_cli("new", "empty", cwd=tmp_path).returncode == 0
    assert (tmp_path / "empty" / "content" / "festival.yaml").is_file()


@pytest.mark.parametrize("what", ["a folder", "a file"])
def test_new_refuses_a_folder_that_is_not_empty(tmp_path, what):
    target = tmp_path / "fest"
    if what == "a file":
        target.write_text("notes\n")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine\n")
    before = files_under(tmp_path)
    result = run_cli("new", "fest", "--with-layouts", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "fest already exists and is not empty" in result.stderr
    assert files_under(tmp_path) == before


def check_brochure(pdf: Path) -> None:
    """The starter's brochure: the film's title in the text, only embedded fonts (Noto,
    from the built-in fonts), more than one page."""
    text = flat(" ".join(page_texts(pdf)))
    assert "Rust and Bone" in text and "Jacques Audiard" in text
    found = fonts(pdf)
    assert found and all(f["emb"] == "yes" for f in found), found
    assert all("Noto" in f["name"] for f in found), found
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) > 1


@pytest.mark.slow
@pytest.mark.parametrize("with_layouts", [False, True], ids=["built-in", "with-layouts"])
def test_new_project_builds_at_once(tmp_path, with_layouts):
    args = ["new", "fest", *(["--with-layouts"] if with_layouts else [])]
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    project = tmp_path / "fest"
    if with_layouts:
        assert files_under(project / "layouts") == files_under(REPO / "layouts")
        for name in ("fonts.css", "OFL.txt", "OFL-NotoSansCJK.txt", "NotoSerif-Regular.ttf"):
            assert (project / "fonts" / name).is_file(), name
        # a designer's change is what gets built
        style = project / "layouts" / "brochure" / "style.css"
        style.write_text(style.read_text(encoding="utf-8")
                         + '\n.film h2::after { content: " (designer’s copy)"; }\n',
                         encoding="utf-8")
    else:
        assert not (project / "layouts").exists() and not (project / "fonts").exists()
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    pdf = project / "out" / "brochure.pdf"
    check_brochure(pdf)
    if with_layouts:
        assert "layouts/brochure/" in result.stderr and str(REPO) not in result.stderr
        assert "designer’s copy" in flat(" ".join(page_texts(pdf)))


# ------------------------------------------------------------------------------ the wheel
def _copy_of_checkout(target: Path) -> Path:
    """The checkout as it is (uncommitted changes too), without what is not built into a
    wheel, so the wheel is built in a temporary folder and nothing lands in the checkout."""
    top = {".git", "out", "build", "dist", "tests", "bench", "content"}
    anywhere = shutil.ignore_patterns("*.egg-info", "__pycache__", ".programme-cache",
                                      ".pytest_cache")

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set(anywhere(folder, names)) | (top & set(names) if Path(folder) == REPO else set())

    shutil.copytree(REPO, target, ignore=ignore)
    return target


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


@pytest.mark.slow
def test_a_wheel_installed_outside_the_checkout_builds_a_brochure(tmp_path):
    env = _clean_env()

    def run(*args, cwd=tmp_path, check=True):
        result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                                cwd=cwd, env=env)
        if check:
            assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
        return result

    # python3 -m pip wheel --no-deps -w DIST . (from a copy of the checkout)
    source = _copy_of_checkout(tmp_path / "source")
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ".", cwd=source)
    [wheel] = dist.glob("programme-*.whl")

    # a fresh virtual environment; the heavy dependencies from the system's site-packages
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python, programme = venv / "bin" / "python", venv / "bin" / "programme"
    run(python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel)

    work = tmp_path / "work"
    work.mkdir()
    where = run(python, "-c", "import programme, programme.resources as r; "
                "print(programme.__file__, r.builtin_layouts(), r.builtin_fonts(), "
                "r.starter(), sep='\\n')", cwd=work).stdout.split()
    package = Path(where[0]).parent
    assert package.is_relative_to(venv), where  # the wheel's programme, not the checkout's
    assert [Path(p) for p in where[1:]] == [package / "layouts", package / "fonts",
                                            package / "starter"]
    # the package holds the built-in layouts and fonts (licences too) and every module of
    # every subpackage
    assert files_under(package / "layouts") == files_under(source / "layouts")
    assert files_under(package / "fonts") == files_under(source / "fonts")
    assert files_under(package / "starter") == STARTER_FILES
    modules = {name for name in files_under(source / "programme") if name.endswith(".py")}
    assert {"__init__.py", "engine/versions.py", "resources.py"} <= modules
    assert modules <= files_under(package)

    assert run(programme, "--version", cwd=work).stdout.startswith("programme ")
    run(programme, "new", "fest", cwd=work)
    project = work / "fest"
    run(programme, "validate", cwd=project)
    result = run(programme, "build", cwd=project)
    assert str(REPO) not in result.stdout + result.stderr
    check_brochure(project / "out" / "brochure.pdf")

    # --with-layouts from the wheel: the copies are the package's, and they build
    run(programme, "new", "designed", "--with-layouts", cwd=work)
    designed = work / "designed"
    assert files_under(designed / "layouts") == files_under(REPO / "layouts")
    assert (designed / "fonts" / "fonts.css").is_file()
    run(programme, "proof", "--film", "rust-and-bone", cwd=designed)
    assert "Rust and Bone" in flat(" ".join(page_texts(designed / "out" / "proof.pdf")))
