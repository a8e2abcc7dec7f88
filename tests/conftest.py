from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "content"


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    """The real command line, in a separate process, as an editor would run it."""
    return subprocess.run([sys.executable, "-m", "programme", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the example festival project (content only; layouts are built in)."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    return tmp_path


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    """The example brochure, built once through the real command line."""
    out = tmp_path_factory.mktemp("example") / "brochure.pdf"
    result = run_cli("build", EXAMPLE, "-o", out)
    assert result.returncode == 0, result.stderr
    return out
