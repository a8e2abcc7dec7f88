"""`programme watch` rebuilds on change and keeps the last good PDF on error."""

from __future__ import annotations

import pytest

import hashlib
import queue
import subprocess
import sys
import threading
import time


def read_lines(process, lines: queue.Queue):
    for line in process.stdout:
        lines.put(line.rstrip("\n"))


def wait_for(lines: queue.Queue, needle: str, seen: list[str], timeout: float = 60) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"no {needle!r} within {timeout} s; output so far:\n" + "\n".join(seen))


@pytest.mark.slow
def test_watch_rebuilds_and_keeps_last_good_pdf(project):
    out = project / "out" / "brochure.pdf"
    process = subprocess.Popen([sys.executable, "-m", "programme", "watch", "content", "-o", str(out)],
                               cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(process, lines), daemon=True).start()
    seen: list[str] = []
    try:
        wait_for(lines, "start: wrote", seen)
        first = hashlib.sha256(out.read_bytes()).hexdigest()

        film = project / "content" / "films" / "rust-and-bone.yaml"
        film.write_text(film.read_text().replace("runtime: 120", "runtime: 121"))
        line = wait_for(lines, "wrote", seen)
        assert "content/films/rust-and-bone.yaml" in line
        second = hashlib.sha256(out.read_bytes()).hexdigest()
        assert second != first

        film.write_text(film.read_text().replace("runtime: 121", "runtime: two hours"))
        wait_for(lines, "kept the last good", seen)
        assert any("runtime: expected minutes as a whole number" in s for s in seen)
        assert hashlib.sha256(out.read_bytes()).hexdigest() == second
        assert not any("Traceback" in s for s in seen)

        film.write_text(film.read_text().replace("runtime: two hours", "runtime: 120"))
        wait_for(lines, "wrote", seen)
    finally:
        process.terminate()
        process.wait(timeout=10)
