"""``programme preflight FILE.pdf``: is a finished PDF ready for the press?

The checks read the PDF as a print shop's tools would, not as programme meant to make it:

structure  ``qpdf --check``: the file's syntax and streams are sound.
fonts      ``pdffonts``: every font embedded (error) and subset (warning).
images     ``pdfimages -list``: each image's resolution at its placed size (x-ppi and
           y-ppi): under 300 ppi a warning, under 150 an error, naming the film and the
           file from the label the build puts on each still (see :mod:`programme.stills`).
boxes      every page has a TrimBox and a BleedBox, nested inside the MediaBox, one trim
           size throughout, and a bleed of 3 mm or more.
pages      the page count is a multiple of the signature (4: a saddle-stitched booklet).
colour     in a press file, no device RGB: images (from ``pdfimages``), colours in page
           content, gradients, transparency groups.
pdfx       PDF/X identification (XMP ``pdfxid:GTS_PDFXVersion``) and a CMYK output intent;
           no annotations inside the bleed.

A *press file* is one that says it is PDF/X. Any other file is checked as a proof: RGB and
missing boxes are then warnings. Errors make the exit status 1.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pikepdf

from .stills import MINIMUM_PPI, PRESS_PPI, read_label

MM = 72 / 25.4
BLEED_MM = 3.0
CHECKS = ("structure", "fonts", "images", "boxes", "pages", "colour", "pdfx")


@dataclass
class Finding:
    severity: str                   # "error" or "warning"
    check: str                      # one of CHECKS
    message: str
    page: int | None = None
    image: str | None = None        # the image file, for images
    film: str | None = None         # the content file that uses it
    title: str | None = None        # the film's title

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        return f"{self.severity}: {where}{self.check}: {self.message}"


@dataclass
class Report:
    file: str
    pages: int = 0
    pdfx: str | None = None
    output_intent: str | None = None
    press: bool = False
    signature: int = 4
    rgb_images: int = 0
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)   # check -> one line
    unreadable: str | None = None   # why the file could not be opened at all

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def add(self, severity: str, check: str, message: str, **where) -> None:
        self.findings.append(Finding(severity, check, message, **where))

    def status(self, check: str) -> str:
        found = {f.severity for f in self.findings if f.check == check}
        if not found and check not in self.summary:
            return "skipped"
        return "ERROR" if "error" in found else "warning" if "warning" in found else "ok"

    def as_json(self) -> str:
        data = asdict(self)
        data["ok"] = not self.errors
        data["errors"] = len(self.errors)
        data["warnings"] = len(self.warnings)
        data["checks"] = {name: {"status": self.status(name), "summary": self.summary.get(name, "")}
                          for name in CHECKS}
        return json.dumps(data, ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        if self.unreadable:
            return f"{self.file}: {self.unreadable}"
        kind = (f"{self.pdfx}, output intent {self.output_intent or 'none'}" if self.press
                else "not a PDF/X file: checked as a proof")
        lines = [f"Preflight of {self.file}: {self.pages} pages, {kind}"]
        for name in CHECKS:
            lines.append(f"  {self.status(name):<8} {name:<10} {self.summary.get(name, '')}")
        order = {"error": 0, "warning": 1}
        findings = sorted(self.findings, key=lambda f: (order[f.severity], f.page or 0))
        if findings:
            lines.append("")
            lines += [str(f) for f in findings]
        lines.append("")
        n_err, n_warn = len(self.errors), len(self.warnings)
        counts = (f"{n_err} error{'s' if n_err != 1 else ''}, "
                  f"{n_warn} warning{'s' if n_warn != 1 else ''}")
        if n_err:
            lines.append(f"Not ready for press: {counts}.")
        elif self.press:
            lines.append(f"Ready for press: {counts}.")
        else:
            lines.append(f"No errors ({counts}), but this is not a press file: build it with "
                         "`programme build --press`.")
        return "\n".join(lines)


# ------------------------------------------------------------------------------ tools
class ToolMissing(RuntimeError):
    pass


def _run(*args: str) -> subprocess.CompletedProcess:
    if shutil.which(args[0]) is None:
        raise ToolMissing(f"{args[0]} is not installed (scripts/setup installs poppler-utils "
                          "and qpdf)")
    return subprocess.run(args, capture_output=True, text=True, errors="replace")


def _table(output: str) -> list[dict[str, str]]:
    """A poppler table (a header line, a line of dashes, rows) as dicts, by column width."""
    lines = output.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("---")), None)
    if rule is None or rule == 0:
        return []
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rule])]
    header = lines[rule - 1]
    names, rows = [], []
    for i, (start, end) in enumerate(spans):
        # a header may be wider than its dashes: read up to the next column's start
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(header)
        names.append(header[start:stop].strip())
    for line in lines[rule + 1:]:
        if not line.strip():
            continue
        row = {}
        for i, (start, end) in enumerate(spans):
            stop = spans[i + 1][0] if i + 1 < len(spans) else len(line)
            row[names[i]] = line[start:stop].strip()
        rows.append(row)
    return rows


def _pdfimages_rows(path: Path) -> list[dict]:
    """pdfimages -list rows (split on whitespace: its columns are not fixed-width)."""
    result = _run("pdfimages", "-list", str(path))
    rows = []
    for line in result.stdout.splitlines()[2:]:
        p = line.split()
        if len(p) < 16:
            continue
        try:
            rows.append({"page": int(p[0]), "type": p[2], "width": int(p[3]),
                         "height": int(p[4]), "color": p[5], "comp": int(p[6]),
                         "object": (int(p[10]), int(p[11])), "x_ppi": int(p[12]),
                         "y_ppi": int(p[13])})
        except ValueError:
            continue
    return rows


# ----------------------------------------------------------------------------- checks
def _check_structure(path: Path, report: Report) -> bool:
    result = _run("qpdf", "--check", str(path))
    text = (result.stdout + "\n" + result.stderr).strip()
    if result.returncode == 0:
        report.summary["structure"] = "qpdf --check: no syntax or stream errors"
        return True
    problems = [line.strip() for line in text.splitlines()
                if line.strip() and not line.startswith(("checking ", "PDF Version",
                                                         "File is not", "R = ", "P = ",
                                                         "User password", "Supports",
                                                         "extract ", "print ", "modify "))]
    severity = "warning" if result.returncode == 3 else "error"
    for line in problems[:20] or [f"qpdf --check failed (exit status {result.returncode})"]:
        report.add(severity, "structure", line)
    report.summary["structure"] = (f"qpdf --check: {len(problems)} "
                                   f"{'warning' if severity == 'warning' else 'error'}"
                                   f"{'s' if len(problems) != 1 else ''}")
    return severity == "warning"


def _object_pages(pdf: pikepdf.Pdf, kind: str) -> dict[tuple[int, int], list[int]]:
    """Object ids of fonts (kind "/Font") or XObjects reachable from each page -> pages."""
    where: dict[tuple[int, int], list[int]] = {}

    def walk(resources, number, seen):
        if resources is None:
            return
        for _, item in (resources.get(kind) or {}).items():
            pages = where.setdefault(item.objgen, [])
            if number not in pages:
                pages.append(number)
        for _, xobject in (resources.get("/XObject") or {}).items():
            if xobject.objgen not in seen and xobject.get("/Subtype") == pikepdf.Name.Form:
                seen.add(xobject.objgen)
                walk(xobject.get("/Resources"), number, seen)

    for number, page in enumerate(pdf.pages, 1):
        walk(page.obj.get("/Resources"), number, set())
    return where


def _check_fonts(path: Path, pdf: pikepdf.Pdf, report: Report) -> None:
    result = _run("pdffonts", str(path))
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
        report.add("error", "fonts", f"pdffonts cannot read the file: {reason}")
        report.summary["fonts"] = "not checked"
        return
    rows = _table(result.stdout)
    pages = _object_pages(pdf, "/Font")
    not_embedded = not_subset = 0
    for row in rows:
        name = row.get("name", "?")
        kind = row.get("type", "")
        try:
            num, gen = (int(v) for v in row.get("object ID", "").split())
            on = pages.get((num, gen), [])
        except ValueError:
            on = []
        where = f" (page{'s' if len(on) != 1 else ''} {_pages(on)})" if on else ""
        first = on[0] if on else None
        if kind.startswith("Type 3"):
            continue  # glyphs drawn in the file itself
        if row.get("emb") != "yes":
            not_embedded += 1
            report.add("error", "fonts", f"font {name} ({kind}) is not embedded{where}: the "
                       "printer would substitute another font", page=first)
        elif row.get("sub") != "yes":
            not_subset += 1
            report.add("warning", "fonts", f"font {name} ({kind}) is embedded whole, not "
                       f"subset{where}", page=first)
    bad = not_embedded + not_subset
    report.summary["fonts"] = (f"{len(rows)} font{'s' if len(rows) != 1 else ''}, "
                               + ("all embedded and subset" if not bad else
                                  f"{not_embedded} not embedded, {not_subset} not subset"))


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:6])
    return shown + (f" and {len(numbers) - 6} more" if len(numbers) > 6 else "")


def _check_images(path: Path, pdf: pikepdf.Pdf, report: Report) -> None:
    rows = [r for r in _pdfimages_rows(path) if r["type"] == "image"]
    worst: dict[tuple, dict] = {}
    for row in rows:  # one finding per image per page, at its lowest resolution there
        key = (row["object"], row["page"])
        if key not in worst or min(row["x_ppi"], row["y_ppi"]) < min(worst[key]["x_ppi"],
                                                                      worst[key]["y_ppi"]):
            worst[key] = row
    low = rgb = 0
    for (obj, page), row in sorted(worst.items(), key=lambda kv: kv[0][1]):
        try:
            label = read_label(pdf.get_object(obj))
        except (pikepdf.PdfError, ValueError):
            label = None
        ppi = min(row["x_ppi"], row["y_ppi"])
        what = (f"{label['image']} ({label['title']}, {label['used_by']})" if label
                else f"an image of {row['width']} × {row['height']} pixels (object {obj[0]})")
        where = dict(page=page, image=label["image"] if label else None,
                     film=label["used_by"] if label else None,
                     title=label["title"] if label else None)
        if ppi < PRESS_PPI:
            low += 1
            need_w = -(-row["width"] * PRESS_PPI // max(ppi, 1))
            need_h = -(-row["height"] * PRESS_PPI // max(ppi, 1))
            severity = "error" if ppi < MINIMUM_PPI else "warning"
            report.add(severity, "images",
                       f"{what} is {ppi} ppi at its placed size; print needs {PRESS_PPI} ppi "
                       f"(under {MINIMUM_PPI} is rejected): replace it with one of at least "
                       f"{need_w} × {need_h} pixels, or print it smaller", **where)
        colour = row["color"]
        if colour in ("rgb",) or (colour == "index" and _indexed_rgb(pdf, obj)):
            rgb += 1
            if report.press:
                report.add("error", "colour", f"{what} is RGB (DeviceRGB): a press file must "
                           "be CMYK; rebuild with --press, which converts stills", **where)
        elif colour == "icc" and row["comp"] == 3:
            rgb += 1
            if report.press:
                report.add("warning", "colour", f"{what} is ICC-based RGB: allowed in PDF/X-4, "
                           "but the printer's RIP will convert it; convert it to CMYK to see "
                           "the result yourself", **where)
    images = len({obj for obj, _ in worst})
    ppis = [min(r["x_ppi"], r["y_ppi"]) for r in worst.values()]
    damaged = _check_decoding(pdf, report)
    report.summary["images"] = (f"{images} image{'s' if images != 1 else ''}"
                                + (f", lowest {min(ppis)} ppi" if ppis else "")
                                + (f", {low} placement{'s' if low != 1 else ''} under "
                                   f"{PRESS_PPI} ppi" if low else "")
                                + (f", {damaged} that cannot be decoded" if damaged else
                                   ", all decoded whole"))
    report.rgb_images = rgb


def _check_decoding(pdf: pikepdf.Pdf, report: Report) -> int:
    """Decode every image (and soft mask) drawn on a page: damaged data is an error,
    named by the still's label. Returns how many are damaged."""
    from .imagecheck import xobject_problem

    damaged = 0
    checked: set = set()
    for objgen, pages in sorted(_object_pages(pdf, "/XObject").items(),
                                key=lambda kv: kv[1][0]):
        try:
            xobject = pdf.get_object(objgen)
            if xobject.get("/Subtype") != pikepdf.Name.Image:
                continue
            mask = xobject.get("/SMask")
            parts = [(xobject, "")] + ([(mask, "the soft mask of ")]
                                       if isinstance(mask, pikepdf.Stream) else [])
        except (pikepdf.PdfError, ValueError, TypeError):
            continue
        for item, prefix in parts:
            if item.objgen in checked:
                continue
            checked.add(item.objgen)
            reason = xobject_problem(item)
            if not reason:
                continue
            damaged += 1
            label = read_label(xobject)
            what = (f"{label['image']} ({label['title']}, {label['used_by']})" if label
                    else f"the image in object {objgen[0]}")
            report.add("error", "images", f"{prefix}{what} cannot be decoded: {reason}; the "
                       "printer's RIP would fail on it or print it damaged",
                       page=pages[0], image=label["image"] if label else None,
                       film=label["used_by"] if label else None,
                       title=label["title"] if label else None)
    return damaged


def _indexed_rgb(pdf: pikepdf.Pdf, obj) -> bool:
    try:
        space = pdf.get_object(obj).get("/ColorSpace")
        return _device_rgb(space[1]) if isinstance(space, pikepdf.Array) else False
    except (pikepdf.PdfError, IndexError, ValueError):
        return False


class BadBox(ValueError):
    """A page box that is not four finite numbers."""


def read_box(value, name: str) -> list[float] | None:
    """A page box (``/MediaBox``…) as [left, bottom, right, top], or None when absent.
    Raises BadBox when it is not an array of four finite numbers."""
    if value is None:
        return None
    try:
        shown = value.unparse().decode("latin-1", "replace")[:80]
    except (AttributeError, pikepdf.PdfError):
        shown = str(value)[:80]
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        raise BadBox(f"its {name} {shown} is not four numbers")
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError, pikepdf.PdfError):
        raise BadBox(f"its {name} {shown} is not four numbers") from None
    if not all(math.isfinite(v) and abs(v) < 1e7 for v in numbers):
        raise BadBox(f"its {name} {shown} is not four sensible numbers")
    x0, y0, x1, y1 = numbers
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _box(page, name):
    return read_box(page.obj.get(f"/{name}"), name)


def media_box_repairs(pdf: pikepdf.Pdf) -> list[str]:
    """qpdf's warnings about MediaBoxes it replaced while reading the page tree (it makes
    a MediaBox that is not four numbers US Letter, silently but for a warning)."""
    len(pdf.pages)  # the page tree is read, and repaired, here
    return [w for w in pdf.get_warnings() if "MediaBox" in w]


def _media(page) -> list[float]:
    box = read_box(page.obj.get("/MediaBox"), "MediaBox")
    if box is None:  # inherited from the page tree
        box = read_box(page.mediabox, "MediaBox")
    return box


def _inside(inner, outer, tolerance=0.01) -> bool:
    return (inner[0] >= outer[0] - tolerance and inner[1] >= outer[1] - tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _check_boxes(pdf: pikepdf.Pdf, report: Report) -> None:
    severity = "error" if report.press else "warning"
    sizes: dict[tuple[float, float], list[int]] = {}
    bleeds = []
    for number, page in enumerate(pdf.pages, 1):
        try:
            media = _media(page)
            trim, bleed = _box(page, "TrimBox"), _box(page, "BleedBox")
        except BadBox as exc:
            report.add("error", "boxes", f"{exc}: the printer cannot tell the page size",
                       page=number)
            continue
        if trim is None:
            report.add(severity, "boxes", "no TrimBox: the printer cannot tell the finished "
                       "page size", page=number)
            trim = media
        if bleed is None:
            report.add("warning", "boxes", "no BleedBox", page=number)
            bleed = media
        if not _inside(trim, bleed) or not _inside(bleed, media):
            report.add("error", "boxes", "boxes are not nested (TrimBox inside BleedBox inside "
                       "MediaBox)", page=number)
        size = (round((trim[2] - trim[0]) / MM, 1), round((trim[3] - trim[1]) / MM, 1))
        sizes.setdefault(size, []).append(number)
        bleeds.append((number, min(trim[0] - bleed[0], trim[1] - bleed[1],
                                   bleed[2] - trim[2], bleed[3] - trim[3]) / MM))
    main = max(sizes, key=lambda s: len(sizes[s])) if sizes else None
    for size, numbers in sizes.items():
        if size != main:
            report.add("error", "boxes", f"trim size {size[0]:g} × {size[1]:g} mm differs from "
                       f"the other pages' {main[0]:g} × {main[1]:g} mm (pages {_pages(numbers)})",
                       page=numbers[0])
    thin = [(n, b) for n, b in bleeds if b < BLEED_MM - 0.05]
    if thin:
        least = min(b for _, b in thin)
        report.add("warning", "boxes", f"bleed {least:.1f} mm on {len(thin)} page"
                   f"{'s' if len(thin) != 1 else ''} (pages {_pages([n for n, _ in thin])}): "
                   f"printers ask for {BLEED_MM:g} mm where artwork runs off the edge",
                   page=thin[0][0])
    if main:
        least = min((b for _, b in bleeds), default=0)
        report.summary["boxes"] = (f"trim {main[0]:g} × {main[1]:g} mm, bleed "
                                   f"{least:.1f} mm or more, on {len(pdf.pages)} pages")


def _check_pages(pdf: pikepdf.Pdf, report: Report) -> None:
    n = len(pdf.pages)
    signature = report.signature
    if signature > 1 and n % signature:
        missing = signature - n % signature
        report.add("error" if report.press else "warning", "pages",
                   f"{n} pages is not a multiple of {signature}: the printer would add "
                   f"{missing} blank page{'s' if missing != 1 else ''} (programme build pads "
                   "with filler pages)")
    report.summary["pages"] = (f"{n} pages" + (f", a multiple of {signature}"
                                               if signature > 1 and not n % signature else ""))


def _device_rgb(space) -> bool:
    if isinstance(space, pikepdf.Name):
        return str(space) in ("/DeviceRGB", "/RGB")
    if isinstance(space, pikepdf.Array) and len(space) > 1 and str(space[0]) in ("/Indexed", "/I"):
        return _device_rgb(space[1])
    return False


def _resolve_space(space, resources):
    if isinstance(space, pikepdf.Name) and resources is not None:
        named = (resources.get("/ColorSpace") or {}).get(space)
        if named is not None:
            return named
    return space


def _scan(obj, resources, seen: set, images: bool) -> list[str]:
    """Device RGB in one content stream and what it draws."""
    found: list[str] = []
    rg = False
    try:
        instructions = pikepdf.parse_content_stream(obj)
    except pikepdf.PdfError:
        return ["a content stream that cannot be read"]
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            space = instruction.iimage.obj.get("/CS") or instruction.iimage.obj.get("/ColorSpace")
            if _device_rgb(_resolve_space(space, resources)):
                found.append("an inline RGB image")
            continue
        operator, operands = str(instruction.operator), instruction.operands
        if operator in ("rg", "RG"):
            rg = True
        elif operator in ("cs", "CS") and operands:
            if _device_rgb(_resolve_space(operands[0], resources)):
                rg = True
        elif operator == "sh" and operands and resources is not None:
            shading = (resources.get("/Shading") or {}).get(operands[0])
            if shading is not None and shading.objgen not in seen:
                seen.add(shading.objgen)
                if _device_rgb(_resolve_space(shading.get("/ColorSpace"), resources)):
                    found.append("a gradient (shading) in RGB")
        elif operator in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            pattern = (resources.get("/Pattern") or {}).get(operands[-1]) if resources else None
            if pattern is not None and pattern.objgen not in seen:
                seen.add(pattern.objgen)
                shading = pattern.get("/Shading")
                if shading is not None and _device_rgb(shading.get("/ColorSpace")):
                    found.append("a gradient (shading pattern) in RGB")
                elif pattern.get("/PatternType") == 1:
                    found += _scan(pattern, pattern.get("/Resources") or resources, seen, images)
        elif operator == "Do" and operands and resources is not None:
            xobject = (resources.get("/XObject") or {}).get(operands[0])
            if xobject is None or xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == pikepdf.Name.Image:
                if images and _device_rgb(xobject.get("/ColorSpace")):
                    label = read_label(xobject)
                    found.append(f"image {label['image']}" if label else
                                 f"an image (object {xobject.objgen[0]})")
            elif xobject.get("/Subtype") == pikepdf.Name.Form:
                group = xobject.get("/Group")
                if group is not None and _device_rgb(group.get("/CS")):
                    found.append("a transparency group blending in RGB")
                found += _scan(xobject, xobject.get("/Resources") or resources, seen, images)
    if rg:
        found.insert(0, "text or shapes coloured in RGB (rg/RG)")
    return found


def find_rgb(pdf: pikepdf.Pdf, images: bool = True) -> list[tuple[int, str]]:
    """(page, what) for device RGB drawn on each page: colours, gradients, groups, images."""
    found: list[tuple[int, str]] = []
    seen: set = set()
    for number, page in enumerate(pdf.pages, 1):
        group = page.obj.get("/Group")
        if group is not None and _device_rgb(group.get("/CS")):
            found.append((number, "the page's transparency group blends in RGB"))
        resources = page.obj.get("/Resources")
        found += [(number, what) for what in _scan(page, resources, seen, images)]
    return found


def _check_colour(pdf: pikepdf.Pdf, report: Report) -> None:
    found = find_rgb(pdf, images=False)  # images: from pdfimages, in _check_images
    for page, what in found:
        if report.press:
            report.add("error", "colour", f"{what}: a press file must be CMYK (or grey, or "
                       "ICC-based); rebuild with --press, or give the colour as device-cmyk()",
                       page=page)
    pages = sorted({p for p, _ in found})
    rgb_images = report.rgb_images
    if report.press:
        report.summary["colour"] = ("no device RGB" if not pages and not rgb_images else
                                    f"RGB on {len(pages)} page{'s' if len(pages) != 1 else ''}"
                                    + (f", {rgb_images} RGB image{'s' if rgb_images != 1 else ''}"
                                       if rgb_images else ""))
    else:
        report.summary["colour"] = (
            "no device RGB" if not pages and not rgb_images else
            f"RGB ({rgb_images} image{'s' if rgb_images != 1 else ''}, colours on "
            f"{len(pages)} page{'s' if len(pages) != 1 else ''}): fine for a proof")


def _xmp_pdfx(pdf: pikepdf.Pdf) -> str | None:
    try:
        with pdf.open_metadata() as xmp:
            value = xmp.get("pdfxid:GTS_PDFXVersion") or xmp.get("pdfx:GTS_PDFXVersion")
            return str(value) if value else None
    except Exception:  # unreadable XMP: treated as absent, and reported below
        return None


def _check_pdfx(pdf: pikepdf.Pdf, report: Report) -> None:
    info_version = pdf.docinfo.get("/GTS_PDFXVersion") if pdf.trailer.get("/Info") else None
    version = _xmp_pdfx(pdf) or (str(info_version) if info_version else None)
    intents = [i for i in (pdf.Root.get("/OutputIntents") or [])
               if i.get("/S") == pikepdf.Name.GTS_PDFX]
    report.pdfx = version
    report.press = bool(version)
    if intents:
        intent = intents[0]
        report.output_intent = str(intent.get("/OutputConditionIdentifier", "")) or None
    if not version:
        report.add("warning", "pdfx", "not a PDF/X file (no pdfxid:GTS_PDFXVersion in its XMP "
                   "metadata): fine for a proof; for the print shop, build with --press")
        report.summary["pdfx"] = "not PDF/X"
        return
    if not intents:
        report.add("error", "pdfx", f"says {version} but has no PDF/X output intent")
    else:
        profile = intents[0].get("/DestOutputProfile")
        if profile is None and "/RegistryName" not in intents[0]:
            report.add("error", "pdfx", "the output intent has neither an ICC profile nor a "
                       "registered printing condition")
        elif profile is not None and int(profile.get("/N", 0)) != 4:
            report.add("warning", "pdfx", f"the output intent's profile has "
                       f"{int(profile.get('/N', 0))} components, not CMYK's 4")
    if "/Trapped" not in pdf.docinfo:
        report.add("error", "pdfx", "no /Trapped entry in the document information "
                   "(PDF/X requires True or False)")
    if pdf.is_encrypted:
        report.add("error", "pdfx", "the file is encrypted: PDF/X forbids it")
    for number, page in enumerate(pdf.pages, 1):
        try:
            bleed = _box(page, "BleedBox") or _box(page, "TrimBox") or _media(page)
        except BadBox:
            continue  # reported by the boxes check
        for annot in page.obj.get("/Annots") or []:
            kind = str(annot.get("/Subtype", "/?"))[1:]
            try:
                rect = read_box(annot.get("/Rect"), "Rect") or [0, 0, 0, 0]
            except BadBox:
                rect = bleed  # a malformed annotation: take it to cover the page
            if kind in ("PrinterMark", "TrapNet"):
                continue
            overlaps = (rect[0] < bleed[2] and rect[2] > bleed[0]
                        and rect[1] < bleed[3] and rect[3] > bleed[1])
            if overlaps:
                report.add("error", "pdfx", f"a {kind} annotation inside the bleed: PDF/X "
                           "forbids annotations on the printed area", page=number)
    report.summary["pdfx"] = f"{version}, output intent {report.output_intent or 'none'}"


def preflight(path: Path, signature: int = 4) -> Report:
    """Check a finished PDF; see the module docstring for what is checked."""
    path = Path(path)
    report = Report(file=str(path), signature=signature)
    readable = _check_structure(path, report)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report.unreadable = ("the PDF is protected by a password, so it cannot be checked "
                             "(nor printed by a print shop): save it without one")
        report.add("error", "structure", report.unreadable)
        return report
    except pikepdf.PdfError as exc:
        report.add("error", "structure", f"cannot be opened: {exc}")
        report.unreadable = f"cannot be opened as a PDF: {exc}"
        return report
    with pdf:
        report.pages = len(pdf.pages)
        for warning in media_box_repairs(pdf):
            report.add("error", "boxes", f"a page's MediaBox is not four numbers, so the "
                       f"page size is unknown (qpdf: {warning})")
        # pdfx first: it decides whether this is a press file
        _guarded(report, "pdfx", _check_pdfx, pdf, report)
        if not readable and report.status("structure") == "ERROR":
            report.add("warning", "structure", "the other checks ran on what qpdf could repair")
        _guarded(report, "fonts", _check_fonts, path, pdf, report)
        _guarded(report, "images", _check_images, path, pdf, report)
        _guarded(report, "boxes", _check_boxes, pdf, report)
        _guarded(report, "pages", _check_pages, pdf, report)
        _guarded(report, "colour", _check_colour, pdf, report)
    return report


MALFORMED = (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
             RecursionError, NotImplementedError, OverflowError)


def _guarded(report: Report, name: str, check, *args) -> None:
    """Run one check; a PDF malformed where it looks is an error of that check, not a
    crash of the others."""
    try:
        check(*args)
    except MALFORMED as exc:
        report.add("error", name, f"could not be checked, the PDF is malformed here: "
                   f"{type(exc).__name__}: {exc}")
        report.summary.setdefault(name, "not checked: the PDF is malformed")
