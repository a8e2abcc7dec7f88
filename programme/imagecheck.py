"""Is an image whole? Decode it fully and say what is wrong.

Validation reads only an image's header, so a JPEG whose data is damaged (garbage in the
scan with its end marker still there), one that is only a header, or one whose header
claims a larger size than its data holds passes it; browsers and WeasyPrint embed such a
file as it is, and the printer's RIP fails or prints grey bands. Pillow decodes these
without a word (libjpeg only warns), so JPEG data is decoded by qpdf's decoder (through
pikepdf, in this process), which treats libjpeg's "corrupt data" warnings as errors.
Other formats are decoded by Pillow with truncated images refused and its warnings
(decompression bombs among them) taken as errors.

Used by ``programme preflight`` (every image in the PDF), ``build --press`` and
``build --strict`` (every still the content names, before anything is written).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageFile

MAX_PIXELS = 50_000_000          # as the loader: more is refused, not decoded
MAX_PDF_IMAGE_PIXELS = 200_000_000
_SPACES = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}


@dataclass(frozen=True)
class Damaged:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def decode_problems(paths: Iterable[Path]) -> list[Damaged]:
    """The images among ``paths`` that cannot be decoded whole, with the reason."""
    found = []
    for path in dict.fromkeys(Path(p) for p in paths):
        reason = file_problem(path)
        if reason:
            found.append(Damaged(path, reason))
    return found


def file_problem(path: Path) -> str | None:
    """Why the image file at ``path`` cannot be decoded whole, or None when it can."""
    if path.suffix.lower() == ".svg":
        return None  # not a raster image: WeasyPrint draws it
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with Image.open(path) as image:
                width, height = image.size
                if width <= 0 or height <= 0:
                    return "it has no pixels"
                if width * height > MAX_PIXELS:
                    return (f"it is {width:,} × {height:,} px, more than "
                            f"{MAX_PIXELS / 1e6:.0f} megapixels")
                if image.format in ("JPEG", "MPO"):
                    with path.open("rb") as handle:
                        data = handle.read()
                    return _jpeg_problem(data, width, height, image.mode)
                image.load()
    except Image.DecompressionBombError as exc:
        return f"it is too large to decode ({exc})"
    except (Image.DecompressionBombWarning, UserWarning, RuntimeWarning) as exc:
        return f"it cannot be decoded cleanly: {exc}"
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        return _reason(exc)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = text.split("::decompress: ", 1)[-1]  # qpdf's "Pl_DCT::decompress: …"
    if "truncated" in text or "reading from buffer" in text:
        return f"the image data is cut short ({text})"
    if "corrupt" in text.lower() or "broken" in text or "invalid" in text.lower():
        return f"the image data is damaged ({text})"
    return f"it cannot be decoded ({text})"


def _jpeg_problem(data: bytes, width: int, height: int, mode: str) -> str | None:
    space = _SPACES.get(mode)
    if space is None:
        return _pillow_load(data)
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, data)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = width, height
    stream.ColorSpace = pikepdf.Name(space)
    stream.BitsPerComponent = 8
    stream.Filter = pikepdf.Name.DCTDecode
    try:
        decoded = stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.all)
    except (pikepdf.PdfError, pikepdf.DataDecodingError, RuntimeError, ValueError) as exc:
        return _reason(exc)
    expected = width * height * len(mode)
    if len(decoded) < expected:
        return f"the image data is cut short ({len(decoded):,} of {expected:,} bytes)"
    return None


def _pillow_load(data: bytes) -> str | None:
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        return _reason(exc)
    return None


# ------------------------------------------------------------------- images in PDFs
def _components(space) -> int | None:
    if space is None:
        return None
    if isinstance(space, pikepdf.Name):
        return {"/DeviceGray": 1, "/G": 1, "/CalGray": 1, "/DeviceRGB": 3, "/RGB": 3,
                "/CalRGB": 3, "/Lab": 3, "/DeviceCMYK": 4, "/CMYK": 4,
                "/Indexed": 1, "/I": 1}.get(str(space))
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased" and len(space) > 1:
            return int(space[1].get("/N", 0)) or None
        if family in ("/Indexed", "/I", "/Separation"):
            return 1
        if family == "/DeviceN" and len(space) > 1:
            return len(space[1])
        return _components(space[0])
    return None


def xobject_problem(xobject) -> str | None:
    """Why an image XObject's data cannot be decoded whole, or None when it can (or when
    its filter is one this check does not decode: JBIG2, CCITT)."""
    try:
        width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
    except (TypeError, ValueError):
        return "its /Width or /Height is not a number"
    if width <= 0 or height <= 0:
        return f"its size {width} × {height} has no pixels"
    if width * height > MAX_PDF_IMAGE_PIXELS:
        return f"its size {width:,} × {height:,} px is too large to decode"
    filters = xobject.get("/Filter")
    names = ([str(f) for f in filters] if isinstance(filters, pikepdf.Array)
             else [str(filters)] if filters is not None else [])
    if names and names[-1] in ("/JBIG2Decode", "/CCITTFaxDecode"):
        return None
    if names and names[-1] in ("/JPXDecode",):
        try:
            pikepdf.PdfImage(xobject).as_pil_image().load()
        except Exception as exc:  # noqa: BLE001 - any failure: the data cannot be decoded
            return _reason(exc)
        return None
    if xobject.get("/ImageMask"):
        components, bits = 1, 1
    else:
        components = _components(xobject.get("/ColorSpace"))
        try:
            bits = int(xobject.get("/BitsPerComponent", 8))
        except (TypeError, ValueError):
            return "its /BitsPerComponent is not a number"
        if components is None:
            return None  # a colour space this check does not know
    level = (pikepdf.StreamDecodeLevel.all if names and names[-1] in ("/DCTDecode", "/DCT")
             else pikepdf.StreamDecodeLevel.generalized)
    try:
        data = xobject.read_bytes(decode_level=level)
    except (pikepdf.PdfError, pikepdf.DataDecodingError, RuntimeError, ValueError,
            MemoryError) as exc:
        return _reason(exc)
    expected = height * ((width * components * bits + 7) // 8)
    if len(data) < expected:
        return f"the image data is cut short ({len(data):,} of {expected:,} bytes)"
    return None


# ---------------------------------------------------------------------- content stills
def still_problems(content) -> list:
    """Every still (and cover image) the content names, decoded whole: a located error
    (the film file, the line, the field) for each one that cannot be. For ``build
    --strict`` and ``build --press``, before anything is written."""
    from . import stills
    from .problems import Problem

    problems = []
    for path, source in stills.sources(content).items():
        if not path.is_file():
            continue  # validation reports a missing file
        reason = file_problem(path)
        if reason:
            located = stills._with_line(source)
            problems.append(Problem(located.used_by, located.line, located.field,
                                    f"{source.image}: {reason}; export or copy the image "
                                    "again"))
    return problems
