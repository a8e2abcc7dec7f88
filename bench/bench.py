"""Benchmark: how fast and how big builds are on a large generated festival, in one run.

    python3 bench/bench.py                 # 300 films in 10 sections (the target festival)
    python3 bench/bench.py --films 60      # a quicker look
    python3 bench/bench.py --repeat 3      # cold build and one-film edit alternated 3 times
    python3 bench/bench.py --style generated   # films of generated text, not the example's

By default the films are the example festival's own entries (real reviews, statements,
stills), retitled, in sections of 20 to 40 films: the shape real festivals have. Each step
prints the machine's load average when it started: figures taken under load flatter the
rebuild ratios (load slows a cold build more than a rebuild), so run it on a quiet machine
and read the load column.

It generates the festival into a temporary folder (bench/generate_festival.py), then runs
the real command line, each step in a fresh process, and reports wall time, pages per
second and the peak memory (RSS) of the largest process (the command or one of the
workers laying out parts; workers print their peak with PROGRAMME_DEBUG_PARTS=1):

- cold full build (in parts, on every core, empty cache)
- rebuild after editing one film's review, and with nothing changed
- rebuild after an edit that adds a page (the sections after it are renumbered)
- rebuild after a layout CSS edit
- the same brochure built as one document (``build --one-document``)
- single-film proof (and a proof of the example festival's first film)
- baseline: the same brochure HTML rendered as one plain WeasyPrint document
  (``python -m weasyprint``), no post-processing

and the ratios between them. Figures are printed, never asserted: targets live in the
issue tracker and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from generate_festival import generate  # noqa: E402  (beside this script)


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float              # the largest process: the command or one of its workers
    pages: int | None = None
    note: str = ""
    load: float = 0.0           # the 1-minute load average when it started

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.seconds if self.pages else None


def measure(name: str, args: list[str], cwd: Path, env=None) -> Run:
    """Run a command in a fresh process: wall time and the peak RSS of the largest process
    (the command, or a worker: parts builds report each worker's peak on stderr)."""
    env = {**os.environ, **(env or {}), "PROGRAMME_DEBUG_PARTS": "1"}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, env=env)
        # wait4 gives this child's rusage: ru_maxrss (KiB on Linux) is the largest resident
        # set of the child or of any process it waited for (parallel workers included).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{name} failed ({process.returncode}):\n"
                             f"{err.read().decode()[-2000:]}")
        err.seek(0)
        out.seek(0)
        workers = [float(mb) for mb in re.findall(r"rss (\d+) MB", err.read().decode())]
        summary = re.search(r"\((\d+ of \d+ parts laid out, \d+ from the cache[^)]*)\)",
                            out.read().decode())
    peak = max([usage.ru_maxrss / 1024, *workers])
    return Run(name, seconds, peak, _pages(cwd, args), summary.group(1) if summary else "",
               load)


def _pages(cwd: Path, args: list[str]) -> int | None:
    if "-o" not in args:
        return None
    pdf = cwd / args[args.index("-o") + 1]
    if not pdf.exists():
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def programme(*args: str) -> list[str]:
    return [sys.executable, "-m", "programme", *args]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, default=300)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--style", choices=["example", "generated"], default="example",
                        help="films copied from the example festival (default) or generated")
    parser.add_argument("--repeat", type=int, default=1,
                        help="alternate the cold build and the one-film edit this many times")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="programme-bench-"))
    runs: list[Run] = []
    try:
        t0 = time.perf_counter()
        generate(tmp / "content", films=args.films, sections=args.sections, seed=1,
                 style=args.style)
        shutil.copytree(REPO / "layouts" / "brochure", tmp / "layouts" / "brochure")
        shutil.copytree(REPO / "layouts" / "proof", tmp / "layouts" / "proof")
        shutil.copytree(REPO / "fonts", tmp / "fonts")
        print(f"generated {args.films} films ({args.style}) in {args.sections} sections "
              f"in {time.perf_counter() - t0:.1f} s: {tmp}")
        print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")

        def step(name, *cli):
            run = measure(name, programme(*cli), tmp)
            runs.append(run)
            pps = f"{run.pages_per_second:6.1f} pages/s" if run.pages_per_second else " " * 13
            pages = f"{run.pages:5d} pages" if run.pages else " " * 11
            print(f"{name:34} {run.seconds:8.2f} s {pages} {pps} {run.peak_mb:8.0f} MB peak"
                  f"  load {run.load:4.2f}  {run.note}", flush=True)
            return run

        films = [path for path in sorted((tmp / "content" / "films").glob("*.yaml"))
                 if "review:\n  text: >-\n" in path.read_text(encoding="utf-8")]
        pairs = []
        for attempt in range(max(1, args.repeat)):
            shutil.rmtree(tmp / ".programme-cache", ignore_errors=True)
            cold = step("cold full build", "build", "content", "-o", "out/brochure.pdf")
            film = films[(attempt * 37 + 7) % len(films)]
            text = film.read_text(encoding="utf-8")
            film.write_text(text.replace(
                "review:\n  text: >-\n",
                f"review:\n  text: >-\n    An edited first sentence ({attempt}).\n", 1),
                encoding="utf-8")
            edit = step("rebuild after one review edit", "build", "content", "-o",
                        "out/brochure.pdf")
            pairs.append((cold, edit))
        pairs.sort(key=lambda pair: pair[1].seconds / pair[0].seconds)
        cold, edit = pairs[len(pairs) // 2]  # the median ratio's pair
        same = step("rebuild, nothing changed", "build", "content", "-o", "out/brochure.pdf")

        # an edit that adds a page: the parts after it move (renumbered, not laid out)
        other = films[len(films) // 3]
        longer = " ".join(["A sentence that makes the review much longer than it was."] * 60)
        other.write_text(other.read_text(encoding="utf-8").replace(
            "review:\n  text: >-\n", f"review:\n  text: >-\n    {longer}\n", 1),
            encoding="utf-8")
        grow = step("rebuild after an edit adding a page", "build", "content", "-o",
                    "out/brochure.pdf")

        css = tmp / "layouts" / "brochure" / "style.css"
        css.write_text(css.read_text() + "\n.byline { letter-spacing: 0.01em; }\n")
        restyle = step("rebuild after a CSS edit", "build", "content", "-o", "out/brochure.pdf")
        one = step("one-document build (no parts)", "build", "content", "-o", "out/one.pdf",
                   "--one-document")

        proof = step("single-film proof", "proof", "content", "--film", film.stem,
                     "-o", "out/proof.pdf")
        example = measure("example festival: one-film proof",
                          programme("proof", str(REPO / "content"), "--film", "rust-and-bone",
                                    "-o", str(tmp / "out" / "seed-proof.pdf")), tmp)
        runs.append(example)
        print(f"{example.name:34} {example.seconds:8.2f} s {'':25} {example.peak_mb:8.0f} MB peak")

        # Baseline: the brochure's HTML as one plain WeasyPrint document.
        html = tmp / "layouts" / "brochure" / "_bench.html"
        subprocess.run([sys.executable, "-c", (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]);"
            "from programme.loader import load_content; from programme.render import Layout, render_html;"
            "c = load_content(Path(sys.argv[1]));"
            "Path(sys.argv[2]).write_text(render_html(c, Layout(Path(sys.argv[2]).parent)), 'utf-8')"),
            str(tmp / "content"), str(html), str(REPO)], check=True)
        run = measure("baseline: one plain WeasyPrint doc",
                      [sys.executable, "-m", "weasyprint", "--base-url",
                       str(html.parent) + os.sep, str(html), "out/baseline.pdf"], tmp)
        run.pages = _pages(tmp, ["-o", "out/baseline.pdf"])
        runs.append(run)
        baseline = run
        print(f"{run.name:34} {run.seconds:8.2f} s {run.pages:5d} pages "
              f"{run.pages_per_second:6.1f} pages/s {run.peak_mb:8.0f} MB peak")

        print()
        if len(pairs) > 1:
            print("one-review rebuild / cold, each pair: " + ", ".join(
                f"{e.seconds / c.seconds:.3f}" for c, e in pairs) + " (the median is used below)")
        loads = [run.load for run in runs]
        print(f"load average at the steps' start: {min(loads):.2f} to {max(loads):.2f} "
              f"on {os.cpu_count()} cores")
        print(f"cold build vs baseline:        {baseline.seconds / cold.seconds:5.2f}x faster "
              f"(target ≥ 1.8x)")
        print(f"one-review rebuild / cold:     {edit.seconds / cold.seconds:5.3f} (target ≤ 0.10)")
        print(f"no-change rebuild / cold:      {same.seconds / cold.seconds:5.2f}")
        print(f"page-adding edit rebuild / cold: {grow.seconds / cold.seconds:5.2f}")
        print(f"CSS-edit rebuild / cold:       {restyle.seconds / cold.seconds:5.2f}")
        print(f"one-document build vs cold:    {one.seconds / cold.seconds:5.2f}x slower")
        print(f"single-film proof:             {proof.seconds:5.2f} s (target < 2 s)")
        print(f"example one-film proof:        {example.seconds:5.2f} s (target < 2 s)")
        in_parts = [cold, edit, same, grow, restyle, proof, example]
        print(f"peak RSS, programme builds:    {max(r.peak_mb for r in in_parts):5.0f} MB "
              f"(largest process, workers included; target < 600 MB)")
        print(f"peak RSS, one-document build:  {one.peak_mb:5.0f} MB; baseline "
              f"{baseline.peak_mb:.0f} MB")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
