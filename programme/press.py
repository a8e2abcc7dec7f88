"""Print production: what a brochure build does, standard or for the press.

``programme build`` makes the standard PDF (for screens, desk printers and proofreading);
``programme build --press`` makes the file for the print shop. Both pad the page count to whole sheets (:mod:`programme.fillers`), check each
still's resolution at its placed size and label the stills in the PDF
(:mod:`programme.stills`). Then:

standard
    Stills more than twice as fine as print needs (over 600 ppi at their placed size) are
    downsampled to 600 ppi by WeasyPrint (its ``dpi`` option), so a PDF of camera originals
    stays small.

press
    WeasyPrint writes PDF/X-4 (``pdf_variant="pdf/x-4"``) and the layout's
    ``press/press.css`` is added as a stylesheet: its ``@color-profile device-cmyk`` rule
    gives the CMYK output intent (the ICC profile is embedded), and it may give colours as
    ``device-cmyk()``, which reach the PDF as those inks. WeasyPrint does not convert
    colours, so :func:`make_press_ready` does, with the output profile and pikepdf:

    - RGB images (DeviceRGB, RGB ICC-based or indexed) become CMYK at their full pixel
      size (perceptual intent with black point compensation; a JPEG's own ICC profile is
      honoured, others are taken as sRGB). JPEGs stay JPEGs, other images stay lossless.
    - RGB colours in page content (``rg``/``RG``, ``/DeviceRGB cs`` + ``sc``) become CMYK:
      neutral greys as black ink only, other colours by the profile (relative colorimetric
      with black point compensation). The colours converted are listed in a warning, so a
      designer can choose the inks in ``press.css`` instead.
    - Link annotations are removed: PDF/X does not allow them inside the bleed, and paper
      has no links.
    - The output intent gets the profile's description and, for a registered printing
      condition such as FOGRA39, the ICC registry name.

    RGB that cannot be converted (a gradient, say) fails the build, naming the page.
    No images are downsampled.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field

import pikepdf
from PIL import Image, ImageCms

from . import fillers, stills
from .problems import Problem, ProgrammeError, display_path

PRESS_CSS = "press/press.css"     # inside the layout folder
PDF_VARIANT = "pdf/x-4"
STANDARD_MAX_PPI = 600
JPEG_QUALITY = 92
REGISTERED = re.compile(r"(FOGRA\d+L?|CGATS[ .]?TR ?\d+|GRACoL\w*|SWOP\w*|JC200\d\w*|IFRA\d+)")


@dataclass
class Production:
    """How a brochure build is made: standard or for the press, and its signature."""

    press: bool = False
    signature: int | None = 4
    decode_stills: bool = False  # decode every still whole (build --strict); press always
    placed: list = field(default_factory=list)
    by_id: dict = field(default_factory=dict)

    def typeset_options(self, layout) -> dict:
        """Options for WeasyPrint's render()."""
        if not self.press:
            return {"dpi": STANDARD_MAX_PPI}
        css = layout.folder / PRESS_CSS
        if not css.is_file():
            raise ProgrammeError([Problem(display_path(layout.folder), None, None,
                                          f"a press build needs {PRESS_CSS} in the layout, with "
                                          "an @color-profile device-cmyk rule naming the CMYK "
                                          "output profile (see layouts/brochure/press/press.css)")])
        return {"pdf_variant": PDF_VARIANT, "stylesheets": [str(css)]}

    def template_extra(self, filler_pages: int | None = None) -> dict:
        """What the templates get: ``filler_pages`` and ``press``."""
        if filler_pages is None:
            filler_pages = fillers.to_render(self.signature)
        return {"filler_pages": filler_pages, "press": self.press}

    def pdf_options(self) -> dict:
        """Options for WeasyPrint's write_pdf()."""
        return {"pdf_variant": PDF_VARIANT} if self.press else {}

    def after_layout(self, content, layout, laid_out, relayout) -> tuple[object, list[Problem]]:
        """Pad to the signature, then check the stills at their placed sizes.

        ``relayout(n)`` lays out again with ``n`` filler pages."""
        laid_out, problems = fillers.pad(laid_out, self.signature, layout.folder, relayout,
                                         strict=self.press)
        problems += self.check_stills(
            content, layout, stills.placements(laid_out.document, layout.folder.as_uri() + "/"))
        return laid_out, problems

    def check_stills(self, content, layout, placed: list) -> list[Problem]:
        """Remember where the stills are (to label them in :meth:`finish`) and warn about
        those under 300 ppi at their placed size. For the press (and with
        ``decode_stills``) every still is decoded whole first: a damaged one fails the
        build, named with the film file that uses it."""
        if self.press or self.decode_stills:
            from .imagecheck import still_problems

            damaged = still_problems(content)
            if damaged:
                raise ProgrammeError(damaged)
        self.placed = placed
        self.by_id = stills.sources_by_id(content, placed)
        return stills.check_resolution(placed, self.by_id, where=display_path(layout.folder))

    def finish(self, pdf: pikepdf.Pdf) -> list[Problem]:
        """Label the stills; for the press, convert to CMYK and fix the output intent.
        Works on the open PDF, which the caller saves."""
        problems: list[Problem] = []
        stills.label_images(pdf, self.by_id)
        repair_images(pdf, self.by_id)
        if self.press:
            problems += make_press_ready(pdf)
        return problems


# ------------------------------------------------------------------------------ images
# Pillow modes WeasyPrint does not know: it embeds their data (16-bit grey, 32-bit
# integers or floats) as if it were 8-bit RGB, or clips it to white.
UNUSUAL_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")
_COMPONENTS = {"rgb": 3, "cmyk": 4, "gray": 1}


def _misdescribed(xobject) -> bool:
    """A Flate image whose PNG predictor parameters disagree with its colour space (what
    WeasyPrint writes for a mode it does not know)."""
    parms = xobject.get("/DecodeParms")
    if not isinstance(parms, pikepdf.Dictionary) or int(parms.get("/Predictor", 1)) < 10:
        return False
    components = _COMPONENTS.get(_colour_kind(xobject.get("/ColorSpace")))
    space = xobject.get("/ColorSpace")
    if isinstance(space, pikepdf.Array) and len(space) and str(space[0]) in ("/Indexed", "/I"):
        components = 1
    if components is None:
        return False
    bits = int(xobject.get("/BitsPerComponent", 8))
    return (int(parms.get("/Colors", 1)) != components
            or int(parms.get("/BitsPerComponent", 8)) != bits)


def eight_bit(image: Image.Image) -> Image.Image:
    """A still in a mode print knows (L, LA, RGB, RGBA, CMYK), 8 bits per channel: 16-bit
    and 32-bit grey scaled (not clipped) to 0–255, a palette with transparency as RGBA."""
    if image.mode.startswith("I;16"):
        return image.convert("I").point(lambda v: v * (255 / 65535)).convert("L")
    if image.mode == "I":  # 16-bit grey as Pillow once read it, or 8-bit values
        top = 255 if image.getextrema()[1] <= 255 else 65535
        return image.point(lambda v: v * (255 / top)).convert("L")
    if image.mode == "F":
        low, high = image.getextrema()
        if low >= 0 and high <= 1:
            low, high = 0.0, 1.0
        scale = 255 / ((high - low) or 1)
        return image.point(lambda v: (v - low) * scale).convert("L")
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if "transparency" in image.info or image.mode == "PA"
                             else "RGB")
    if image.mode in ("1",):
        return image.convert("L")
    if image.mode in ("La", "LA"):
        return image.convert("LA")
    if image.mode in ("RGBa", "RGBX"):
        return image.convert("RGBA" if image.mode == "RGBa" else "RGB")
    if image.mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    return image.convert("RGB")


def repair_images(pdf: pikepdf.Pdf, by_id: dict) -> int:
    """Give images WeasyPrint embedded wrongly (a 16-bit PNG still, say) their pixels
    again from the still's file, 8 bits per channel; an image that is wrong and cannot be
    traced to a file fails the build. Returns how many were repaired."""
    repaired = 0
    seen: set = set()
    for number, page in enumerate(pdf.pages, 1):
        for name, xobject in stills.image_xobjects(page.obj.get("/Resources"), seen):
            match = re.match(r"/i([0-9a-f]{32})", name)
            source = by_id.get(match.group(1)) if match else None
            unusual = False
            if (source is not None and source.image.lower().endswith(".png")
                    and not _misdescribed(xobject)):  # 16-bit: PNG only, of the formats
                unusual = _source_mode(source.image) in UNUSUAL_MODES
            if not unusual and not _misdescribed(xobject):
                continue
            if source is None:
                raise ProgrammeError([Problem(f"page {number}", None, None,
                                              f"an image (object {xobject.objgen[0]}) was "
                                              "embedded with the wrong colour data and is not "
                                              "one of the content's stills; save it as 8-bit "
                                              "RGB")])
            _replace_pixels(xobject, source)
            repaired += 1
    return repaired


def _source_mode(image: str) -> str | None:
    try:
        with Image.open(image) as opened:
            return opened.mode
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _replace_pixels(xobject, source) -> None:
    from PIL import ImageOps

    def fail(reason):
        raise ProgrammeError([Problem(source.image, None, None,
                                      f"this still (used by {source.used_by}) cannot be "
                                      f"converted: {reason}; save it as an 8-bit JPEG or PNG")])
    try:
        with Image.open(source.image) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image = eight_bit(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        fail(str(exc) or type(exc).__name__)
    size = (int(xobject.Width), int(xobject.Height))
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    if image.mode in ("LA", "RGBA") and "/SMask" not in xobject:
        fail("its transparency was lost")
    if image.mode in ("LA", "RGBA"):
        image = image.convert(image.mode[:-1])  # WeasyPrint's soft mask keeps the alpha
    space = {"L": pikepdf.Name.DeviceGray, "RGB": pikepdf.Name.DeviceRGB,
             "CMYK": pikepdf.Name.DeviceCMYK}.get(image.mode)
    if space is None:
        fail(f"its colour mode {image.mode} is not supported")
    for key in ("/DecodeParms", "/Decode", "/Filter"):
        if key in xobject:
            del xobject[key]
    xobject.write(zlib.compress(image.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
    xobject.ColorSpace = space
    xobject.BitsPerComponent = 8


# ------------------------------------------------------------------------------ colour
class Converter:
    """sRGB colours and RGB images to the output profile's CMYK, with a cache."""

    def __init__(self, profile_bytes: bytes):
        self.profile = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
        if self.profile.profile.xcolor_space.strip() != "CMYK":
            raise ValueError("the output profile is not a CMYK profile")
        self.srgb = ImageCms.createProfile("sRGB")
        flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
        self.colour_transform = ImageCms.buildTransform(
            self.srgb, self.profile, "RGB", "CMYK",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=flags)
        self._image_transforms: dict[bytes, object] = {}
        self.colours: dict[tuple, tuple] = {}

    @property
    def description(self) -> str:
        return self.profile.profile.profile_description.strip()

    def colour(self, rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
        rgb = tuple(min(1.0, max(0.0, float(v))) for v in rgb)
        if rgb not in self.colours:
            if max(rgb) - min(rgb) < 0.004:  # neutral grey: black ink only
                cmyk = (0.0, 0.0, 0.0, round(1 - sum(rgb) / 3, 4))
            else:
                pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in rgb))
                converted = ImageCms.applyTransform(pixel, self.colour_transform).getpixel((0, 0))
                cmyk = tuple(round(v / 255, 4) for v in converted)
            self.colours[rgb] = cmyk
        return self.colours[rgb]

    def image(self, image: Image.Image, icc: bytes | None = None) -> Image.Image:
        if image.mode not in ("RGB",):
            image = image.convert("RGB")
        key = icc or b""
        if key not in self._image_transforms:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc)) if icc else self.srgb
            self._image_transforms[key] = ImageCms.buildTransform(
                source, self.profile, "RGB", "CMYK", renderingIntent=ImageCms.Intent.PERCEPTUAL,
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        return ImageCms.applyTransform(image, self._image_transforms[key])


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)


def _cmyk_css(cmyk) -> str:
    return "device-cmyk(" + " ".join(f"{v:.2f}".rstrip("0").rstrip(".") or "0"
                                     for v in cmyk) + ")"


def _numbers(operands) -> list[float] | None:
    try:
        return [float(v) for v in operands]
    except (TypeError, ValueError):
        return None


def _convert_content(pdf: pikepdf.Pdf, obj, converter: Converter) -> bool:
    """Rewrite RGB colour operators of one content stream (a page or a form) as CMYK."""
    instructions = pikepdf.parse_content_stream(obj)
    changed = False
    rgb_space = {"cs": False, "CS": False}
    out = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            out.append(instruction)
            continue
        operands, operator = instruction.operands, str(instruction.operator)
        if operator in ("rg", "RG") and (rgb := _numbers(operands)) and len(rgb) == 3:
            cmyk = converter.colour(tuple(rgb))
            out.append(([*cmyk], pikepdf.Operator("k" if operator == "rg" else "K")))
            changed = True
            continue
        if operator in ("cs", "CS"):
            is_rgb = bool(operands) and operands[0] == pikepdf.Name.DeviceRGB
            rgb_space[operator] = is_rgb
            if is_rgb:
                out.append(([pikepdf.Name.DeviceCMYK], pikepdf.Operator(operator)))
                changed = True
                continue
        if operator in ("sc", "scn", "SC", "SCN"):
            space = "cs" if operator.islower() else "CS"
            if rgb_space[space] and (rgb := _numbers(operands)) and len(rgb) == 3:
                out.append(([*converter.colour(tuple(rgb))], pikepdf.Operator(operator)))
                changed = True
                continue
        if operator in ("g", "G", "k", "K"):
            rgb_space["cs" if operator.islower() else "CS"] = False
        out.append((operands, instruction.operator))
    if changed:
        data = pikepdf.unparse_content_stream(out)
        if isinstance(obj, pikepdf.Page):
            obj.obj.Contents = pdf.make_stream(data)
        else:
            obj.write(data)
    return changed


def _colour_kind(space) -> str:
    """rgb, cmyk, gray, or other, for an image's /ColorSpace."""
    if space is None:
        return "other"
    if isinstance(space, pikepdf.Name):
        return {"/DeviceRGB": "rgb", "/DeviceCMYK": "cmyk", "/DeviceGray": "gray",
                "/CalRGB": "rgb", "/CalGray": "gray"}.get(str(space), "other")
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(int(space[1].get("/N", 0)), "other")
        if family in ("/Indexed", "/I"):
            return _colour_kind(space[1])
        if family == "/CalRGB":
            return "rgb"
    return "other"


def _convert_image(xobject, converter: Converter) -> bool:
    if _colour_kind(xobject.get("/ColorSpace")) != "rgb" or xobject.get("/ImageMask"):
        return False
    filters = xobject.get("/Filter")
    is_jpeg = filters == pikepdf.Name.DCTDecode or (
        isinstance(filters, pikepdf.Array) and len(filters) == 1
        and filters[0] == pikepdf.Name.DCTDecode)
    icc = None
    if is_jpeg:
        image = Image.open(io.BytesIO(xobject.read_raw_bytes()))
        image.load()
        icc = image.info.get("icc_profile")
    else:
        image = pikepdf.PdfImage(xobject).as_pil_image()
    space = xobject.get("/ColorSpace")
    if icc is None and isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased":
        icc = space[1].read_bytes()
    cmyk = converter.image(image, icc)
    for key in ("/DecodeParms", "/Decode", "/ColorSpace", "/Filter"):
        if key in xobject:
            del xobject[key]
    if is_jpeg:
        buffer = io.BytesIO()
        cmyk.save(buffer, "JPEG", quality=JPEG_QUALITY)
        # Pillow writes Adobe CMYK JPEGs (APP14) with inverted values: undo it on reading.
        xobject.write(buffer.getvalue(), filter=pikepdf.Name.DCTDecode)
        xobject.Decode = pikepdf.Array([1, 0] * 4)
    else:
        xobject.write(zlib.compress(cmyk.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
    xobject.ColorSpace = pikepdf.Name.DeviceCMYK
    xobject.BitsPerComponent = 8
    return True


def _walk(resources, seen):
    """(kind, object) for every image and content stream reachable from ``resources``."""
    if resources is None:
        return
    for name in ("/XObject", "/Pattern"):
        for _, item in (resources.get(name) or {}).items():
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
            subtype = item.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                yield "image", item
                if "/SMask" in item:
                    seen.add(item.SMask.objgen)
            elif subtype == pikepdf.Name.Form or item.get("/PatternType") == 1:
                yield "content", item
                yield from _walk(item.get("/Resources"), seen)


def make_press_ready(pdf: pikepdf.Pdf) -> list[Problem]:
    """Convert RGB to the output intent's CMYK, name the output condition, drop links."""
    intents = pdf.Root.get("/OutputIntents")
    intent = intents[0] if intents else None
    profile = intent.get("/DestOutputProfile") if intent is not None else None
    try:
        converter = Converter(profile.read_bytes()) if profile is not None else None
    except (OSError, ValueError, ImageCms.PyCMSError):
        converter = None
    if converter is None or int(profile.get("/N", 0)) != 4:
        raise ProgrammeError([Problem(PRESS_CSS, None, None,
                                      "no CMYK output intent: the layout's press.css needs "
                                      "@color-profile device-cmyk { src: url(profile.icc); "
                                      "components: c, m, y, k } with a CMYK ICC profile")])
    identifier = str(intent.get("/OutputConditionIdentifier", "")) or converter.description
    intent.OutputConditionIdentifier = pikepdf.String(identifier)
    intent.OutputCondition = pikepdf.String(converter.description)
    intent.Info = pikepdf.String(converter.description)
    if REGISTERED.fullmatch(identifier):
        intent.RegistryName = pikepdf.String("http://www.color.org")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["xmpMM:RenditionClass"] = "default"  # WeasyPrint says proof:pdf; this is final

    images = 0
    seen: set = set()
    for page in pdf.pages:
        _convert_content(pdf, page, converter)
        for kind, item in _walk(page.obj.get("/Resources"), seen):
            if kind == "image":
                try:
                    images += _convert_image(item, converter)
                except (OSError, SyntaxError, ValueError, EOFError, IndexError,
                        pikepdf.PdfError, ImageCms.PyCMSError, Image.DecompressionBombError,
                        NotImplementedError, pikepdf.UnsupportedImageTypeError) as exc:
                    label = stills.read_label(item)
                    what = (f"{label['image']} (used by {label['used_by']})" if label else
                            f"an image on page {page.index + 1} (object {item.objgen[0]})")
                    raise ProgrammeError([Problem(label["image"] if label else PRESS_CSS,
                                                  None, None,
                                                  f"{what} cannot be converted to CMYK: "
                                                  f"{exc or type(exc).__name__}")]) from None
            else:
                _convert_content(pdf, item, converter)
        if "/Annots" in page.obj:
            kept = [a for a in page.obj.Annots
                    if a.get("/Subtype") in (pikepdf.Name.PrinterMark, pikepdf.Name.TrapNet)]
            if kept:
                page.obj.Annots = pdf.make_indirect(pikepdf.Array(kept))
            else:
                del page.obj.Annots

    from .preflight import find_rgb
    left = find_rgb(pdf)
    if left:
        raise ProgrammeError([Problem(PRESS_CSS, None, None,
                                      f"page {page_no}: {what} is RGB and cannot be converted; "
                                      "give its colours as device-cmyk() in press.css")
                              for page_no, what in left[:20]])

    problems = []
    colours = [(rgb, cmyk) for rgb, cmyk in converter.colours.items()]
    if colours or images:
        chromatic = [f"{_hex(rgb)} → {_cmyk_css(cmyk)}" for rgb, cmyk in colours
                     if max(rgb) - min(rgb) >= 0.004]
        greys = len(colours) - len(chromatic)
        parts = []
        if images:
            parts.append(f"{images} RGB image{'s' if images != 1 else ''}")
        if colours:
            parts.append(f"{len(colours)} RGB colour{'s' if len(colours) != 1 else ''} "
                         f"({greys} grey{'s' if greys != 1 else ''} as black ink only"
                         + (": " + ", ".join(chromatic) if chromatic else "") + ")")
        problems.append(Problem(PRESS_CSS, None, None,
                                f"converted {' and '.join(parts)} to CMYK for "
                                f"{identifier}; to choose the inks yourself, give colours as "
                                "device-cmyk() in press.css", "warning"))
    return problems

