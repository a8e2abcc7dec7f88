#!/usr/bin/env python3
"""Generate the example festival's "film stills" into content/images/.

The stills are abstract but cinematic illustrations – graded skies, horizons,
silhouettes, soft light, film grain and a vignette – drawn with Pillow alone. Every
image is built from a small scene description (see ``STILLS`` at the bottom) and a
random generator seeded from its file name, so running the script twice writes
byte-identical files. They are free to use (CC0).

    python scripts/generate_stills.py            # write every still
    python scripts/generate_stills.py --only rust-and-bone-1.jpg
    python scripts/generate_stills.py --out /tmp/stills

Output: 1500 x 1000 px (3:2) RGB JPEG, quality 82, 300 dpi, each ideally < 200 KB.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

W, H = 1500, 1000
QUALITY = 82
DPI = (300, 300)
SEED = "northbank-2012"
OUT = Path(__file__).resolve().parent.parent / "content" / "images"

RGB = tuple[int, int, int]


# ------------------------------------------------------------------------- primitives
def hexrgb(value: str) -> RGB:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def solid(colour: RGB, size=(W, H)) -> Image.Image:
    return Image.new("RGB", size, colour)


def vgradient(stops: list[tuple[float, str]], size=(W, H)) -> Image.Image:
    """A vertical gradient through colour stops [(0.0, '#rrggbb'), ..., (1.0, ...)]."""
    stops = [(p, hexrgb(c)) for p, c in stops]
    strip = Image.new("RGB", (1, 512))
    for y in range(512):
        t = y / 511
        for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
            if p0 <= t <= p1:
                # smoothstep between stops so the bands never show
                u = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
                u = u * u * (3 - 2 * u)
                strip.putpixel((0, y), mix(c0, c1, u))
                break
        else:
            strip.putpixel((0, y), stops[-1][1] if t > stops[-1][0] else stops[0][1])
    return strip.resize(size, Image.Resampling.BILINEAR)


_RADIAL = None


def radial_mask(cx: float, cy: float, rx: float, ry: float, falloff: float = 1.0,
                size=(W, H)) -> Image.Image:
    """An L mask: 255 at (cx, cy) fading to 0 at the ellipse with radii rx, ry."""
    global _RADIAL
    if _RADIAL is None:
        g = ImageOps.invert(Image.radial_gradient("L"))  # 255 centre, 74 at radius 128
        _RADIAL = g.point(lambda v: max(0, round((v - 74) * 255 / 181)))
    rx, ry = max(2, int(rx)), max(2, int(ry))
    g = _RADIAL.resize((2 * rx, 2 * ry), Image.Resampling.BICUBIC)
    if falloff != 1.0:
        g = g.point(lambda v: round(255 * (v / 255) ** falloff))
    mask = Image.new("L", size, 0)
    mask.paste(g, (int(cx) - rx, int(cy) - ry))
    return mask


def scale_mask(mask: Image.Image, strength: float) -> Image.Image:
    return mask.point(lambda v: round(v * strength))


def fill(img: Image.Image, mask: Image.Image, colour: RGB) -> Image.Image:
    return Image.composite(solid(colour, img.size), img, mask)


def light(img: Image.Image, mask: Image.Image, colour: RGB, strength: float = 1.0) -> Image.Image:
    layer = Image.composite(solid(colour, img.size), solid((0, 0, 0), img.size),
                            scale_mask(mask, strength))
    return ImageChops.screen(img, layer)


def new_mask() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    m = Image.new("L", (W, H), 0)
    return m, ImageDraw.Draw(m)


def soften(mask: Image.Image, blur: float) -> Image.Image:
    return mask.filter(ImageFilter.GaussianBlur(blur)) if blur > 0 else mask


def ridge_line(rnd: random.Random, base: float, amp: float, rough: float = 0.5,
               step: int = 6, waves: int = 4) -> list[tuple[float, float]]:
    """A skyline of hills: a few random sines plus a little random-walk detail."""
    waves = [(rnd.uniform(0.6, 3.2) * (i + 1), rnd.uniform(0, math.tau), rnd.uniform(0.3, 1.0) / (i + 1))
             for i in range(waves)]
    pts, walk = [], 0.0
    for x in range(-step, W + 2 * step, step):
        t = x / W
        y = sum(a * math.sin(f * math.tau * t + p) for f, p, a in waves)
        walk = walk * 0.92 + rnd.uniform(-1, 1) * rough
        pts.append((x, base - amp * (y * 0.55 + 0.5) - amp * 0.25 * walk))
    return pts


# ---------------------------------------------------------------------- scene layers
# Each layer is a function (img, rnd, **options) -> img, named in the scene lists below.

def sky(img, rnd, stops):
    return vgradient(stops)


def glow(img, rnd, x, y, r, colour, strength=0.9, falloff=1.6, squash=1.0):
    """Soft light: a low sun, a lamp, a window's spill."""
    cx, cy = x * W, y * H
    img = light(img, radial_mask(cx, cy, r * W, r * W * squash, falloff * 1.8), hexrgb(colour), strength * 0.55)
    return light(img, radial_mask(cx, cy, r * W * 0.25, r * W * 0.25 * squash, falloff), hexrgb(colour), strength)


def stars(img, rnd, count=400, horizon=0.6, colour="#f4f1ff"):
    m, d = new_mask()
    for _ in range(count):
        x, y = rnd.uniform(0, W), rnd.uniform(0, H * horizon)
        if rnd.random() < y / (H * horizon) * 0.6:
            continue  # fewer stars near the horizon haze
        r = rnd.choice([0.6, 0.8, 1.0, 1.0, 1.4, 2.0])
        d.ellipse((x - r, y - r, x + r, y + r), fill=rnd.randint(90, 255))
    return light(img, soften(m, 0.7), hexrgb(colour))


def ridge(img, rnd, base, amp, colour, blur=1.2, rough=0.5, waves=4):
    m, d = new_mask()
    pts = ridge_line(rnd, base * H, amp * H, rough, waves=waves)
    d.polygon(pts + [(W + 10, H + 10), (-10, H + 10)], fill=255)
    return fill(img, soften(m, blur), hexrgb(colour))


def water(img, rnd, top, stops, shimmer="#ffffff", shimmer_x=0.5, shimmer_w=0.08, shimmer_strength=0.6):
    """A sea or lake from ``top`` (fraction of height) to the bottom, with a path of light."""
    y0 = int(top * H)
    sea = vgradient(stops, (W, H - y0))
    img = img.copy()
    img.paste(sea, (0, y0))
    if shimmer_strength <= 0:
        return img
    m, d = new_mask()
    cx = shimmer_x * W
    for i in range(260):
        t = rnd.random() ** 1.6  # more streaks near the horizon
        y = y0 + 2 + t * (H - y0)
        spread = shimmer_w * W * (0.3 + 1.6 * t)
        x = cx + rnd.gauss(0, spread * 0.45)
        length = rnd.uniform(6, 40) * (0.4 + 2.2 * t)
        thick = 0.6 + 2.2 * t
        d.ellipse((x - length, y - thick, x + length, y + thick), fill=rnd.randint(80, 255))
    return light(img, soften(m, 1.4), hexrgb(shimmer), shimmer_strength)


def ground(img, rnd, top, stops):
    y0 = int(top * H)
    img = img.copy()
    img.paste(vgradient(stops, (W, H - y0)), (0, y0))
    return img


def fog(img, rnd, y, height, colour, strength=0.6):
    m = radial_mask(W / 2, y * H, W * 1.1, height * H, 1.2)
    return fill(img, scale_mask(m, strength), hexrgb(colour))


def skyline(img, rnd, base, low, high, colour, windows=None, density=0.25, blur=0.8, width=(20, 70)):
    """A city's edge: blocks, a few towers and domes, optional lit windows."""
    m, d = new_mask()
    lit, dl = new_mask()
    x = -10
    while x < W + 10:
        w = rnd.uniform(*width)
        h = rnd.uniform(low, high) * H * (1.8 if rnd.random() < 0.06 else 1.0)
        top = base * H - h
        d.rectangle((x, top, x + w, base * H + 2), fill=255)
        if rnd.random() < 0.08:  # a dome or spire
            if rnd.random() < 0.5:
                d.ellipse((x + w * 0.1, top - w * 0.4, x + w * 0.9, top + w * 0.4), fill=255)
            else:
                d.polygon([(x + w * 0.35, top), (x + w * 0.5, top - h * 0.6), (x + w * 0.65, top)], fill=255)
        if windows:
            for wy in range(int(top + 6), int(base * H - 4), 9):
                for wx in range(int(x + 4), int(x + w - 4), 8):
                    if rnd.random() < density:
                        dl.rectangle((wx, wy, wx + 2, wy + 3), fill=rnd.randint(120, 255))
        x += w + rnd.uniform(-6, 4)
    img = fill(img, soften(m, blur), hexrgb(colour))
    if windows:
        img = light(img, soften(lit, 0.8), hexrgb(windows))
    return img


def figure(img, rnd, x, base, height, colour="#0b0b0e", blur=1.5, lean=0.0, coat=True):
    """A standing person seen from a distance or from behind: head, shoulders, coat, legs."""
    m, d = new_mask()
    cx, by, h = x * W, base * H, height * H
    head = h * 0.065
    top = by - h
    hx = cx + lean * h
    d.ellipse((hx - head * 0.85, top, hx + head * 0.85, top + head * 2.1), fill=255)
    sh_y = top + head * 2.4
    d.ellipse((cx - h * 0.13, sh_y - head * 0.2, cx + h * 0.13, sh_y + head * 2.2), fill=255)  # shoulders
    d.polygon([(hx - head * 0.5, top + head * 1.8), (hx + head * 0.5, top + head * 1.8),
               (cx + h * 0.13, sh_y + head * 0.4), (cx + h * 0.11, by - h * 0.45),
               (cx - h * 0.11, by - h * 0.45), (cx - h * 0.13, sh_y + head * 0.4)], fill=255)
    hem = by - h * (0.28 if coat else 0.45)
    d.polygon([(cx - h * 0.11, by - h * 0.46), (cx + h * 0.11, by - h * 0.46),
               (cx + h * (0.12 if coat else 0.1), hem), (cx - h * (0.12 if coat else 0.1), hem)], fill=255)
    for side in (-1, 1):
        lx = cx + side * h * 0.045
        d.polygon([(lx - h * 0.04, hem - 4), (lx + h * 0.04, hem - 4),
                   (lx + h * 0.03 + side * h * 0.01, by), (lx - h * 0.03 + side * h * 0.01, by)], fill=255)
    return fill(img, soften(m, blur), hexrgb(colour))


def portrait(img, rnd, x, colour="#08080a", blur=2.5, facing=1):
    """A head-and-shoulders profile close to the camera, filling the lower frame."""
    m, d = new_mask()
    cx = x * W
    d.ellipse((cx - 150, 330, cx + 150, 720), fill=255)  # head
    nose = cx + facing * 150
    d.polygon([(nose - facing * 20, 470), (nose + facing * 22, 540), (nose - facing * 10, 560)], fill=255)
    d.polygon([(cx - 90, 640), (cx + 90, 640), (cx + 110, 760), (cx - 110, 760)], fill=255)  # neck
    d.ellipse((cx - 420, 720, cx + 420, 1300), fill=255)  # shoulders
    return fill(img, soften(m, blur), hexrgb(colour))


def bokeh(img, rnd, count, colours, region=(0, 0, 1, 1), rmin=14, rmax=60, blur=6, strength=0.7):
    for colour in colours:
        m, d = new_mask()
        for _ in range(count // len(colours)):
            x = rnd.uniform(region[0], region[2]) * W
            y = rnd.uniform(region[1], region[3]) * H
            r = rnd.uniform(rmin, rmax)
            d.ellipse((x - r, y - r, x + r, y + r), fill=rnd.randint(60, 200))
        img = light(img, soften(m, blur), hexrgb(colour), strength)
    return img


def trees(img, rnd, count, base, low, high, colour, blur=1.0, thick=(4, 22)):
    m, d = new_mask()
    for _ in range(count):
        x = rnd.uniform(-20, W + 20)
        t = rnd.uniform(*thick)
        top = base * H - rnd.uniform(low, high) * H
        d.polygon([(x - t / 2, base * H + 5), (x + t / 2, base * H + 5), (x + t * 0.3, top), (x - t * 0.3, top)],
                  fill=255)
        for _ in range(rnd.randint(0, 3)):  # a bare branch or two
            by = rnd.uniform(top, base * H - 40)
            side = rnd.choice((-1, 1))
            d.line((x, by, x + side * rnd.uniform(20, 90), by - rnd.uniform(20, 80)), fill=255,
                   width=max(1, int(t * 0.25)))
    return fill(img, soften(m, blur), hexrgb(colour))


def poplars(img, rnd, count, base, x0, x1, height, colour, blur=1.2):
    """A row of tall narrow trees along a road, shrinking towards the horizon."""
    m, d = new_mask()
    for i in range(count):
        t = i / max(1, count - 1)
        x = (x0 + (x1 - x0) * t) * W
        h = height * H * (1 - 0.85 * t)
        w = h * 0.16
        d.ellipse((x - w / 2, base * H - h, x + w / 2, base * H + h * 0.05), fill=255)
    return fill(img, soften(m, blur), hexrgb(colour))


def road(img, rnd, horizon, vx, colour, line="#d8c9a0", width=1.1, dashes=True):
    m, d = new_mask()
    hy = horizon * H
    d.polygon([(vx * W - 3, hy), (vx * W + 3, hy), (vx * W + width * W * 0.5, H + 5), (vx * W - width * W * 0.5, H + 5)],
              fill=255)
    img = fill(img, soften(m, 1.0), hexrgb(colour))
    if dashes:
        m, d = new_mask()
        n = 14
        for i in range(n):
            a, b = (i / n) ** 2.2, ((i + 0.5) / n) ** 2.2
            ya, yb = hy + a * (H - hy), hy + b * (H - hy)
            wa, wb = 1 + a * 14, 1 + b * 14
            d.polygon([(vx * W - wa, ya), (vx * W + wa, ya), (vx * W + wb, yb), (vx * W - wb, yb)], fill=255)
        img = fill(img, soften(scale_mask(m, 0.8), 0.8), hexrgb(line))
    return img


def poles(img, rnd, horizon, vx, side, colour, count=8, wires=True):
    """Telegraph poles marching to the vanishing point."""
    m, d = new_mask()
    tops = []
    for i in range(count):
        t = 0.82 ** (i * 1.6)  # 1 = near, -> 0 = far
        x = vx * W + side * t * W * 0.55
        by = horizon * H + t * (H - horizon * H) * 0.75
        h = 40 + t * 620
        w = 1.2 + t * 9
        d.rectangle((x - w / 2, by - h, x + w / 2, by), fill=255)
        d.rectangle((x - h * 0.09, by - h * 0.95, x + h * 0.09, by - h * 0.95 + w * 0.8), fill=255)
        tops.append((x, by - h * 0.94))
    if wires:
        for a, b in zip(tops, tops[1:]):
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + abs(a[0] - b[0]) * 0.06
            d.line([a, (mx, my), b], fill=255, width=2)
    return fill(img, soften(m, 0.9), hexrgb(colour))


def dunes(img, rnd, layers, top, colours, blur=1.5):
    """Overlapping dune ridges, each with a lit crest."""
    for i, colour in enumerate(colours):
        base = top + (1 - top) * (i / max(1, layers))
        m, d = new_mask()
        pts = []
        ph, f1, f2 = rnd.uniform(0, math.tau), rnd.uniform(0.6, 1.6), rnd.uniform(2.0, 4.0)
        for x in range(-10, W + 20, 8):
            t = x / W
            y = base * H - (math.sin(f1 * math.tau * t + ph) * 0.6 + math.sin(f2 * math.tau * t + ph * 2) * 0.25) * 60 * (1 + i * 0.4)
            pts.append((x, y))
        d.polygon(pts + [(W + 20, H + 10), (-10, H + 10)], fill=255)
        img = fill(img, soften(m, blur), hexrgb(colour))
        crest, dc = new_mask()
        dc.line(pts, fill=140, width=3 + i * 2)
        img = light(img, soften(crest, 2 + i), mix(hexrgb(colour), (255, 236, 200), 0.5), 0.5)
    return img


def horses(img, rnd, count, base, size, colour, blur=1.0, spread=(0.1, 0.9)):
    m, d = new_mask()
    for _ in range(count):
        s = size * H * rnd.uniform(0.7, 1.2)
        x = rnd.uniform(*spread) * W
        y = base * H + rnd.uniform(-0.02, 0.05) * H
        face = rnd.choice((-1, 1))
        bw, bh = s * 1.0, s * 0.42
        by = y - s * 0.95
        d.ellipse((x - bw / 2, by, x + bw / 2, by + bh), fill=255)
        nx = x + face * bw * 0.42
        d.polygon([(nx - face * s * 0.12, by + bh * 0.3), (nx + face * s * 0.05, by - s * 0.05),
                   (nx + face * s * 0.28, by - s * 0.3), (nx + face * s * 0.16, by + bh * 0.4)], fill=255)
        d.ellipse((nx + face * s * 0.18 - s * 0.13, by - s * 0.36, nx + face * s * 0.18 + s * 0.13, by - s * 0.22),
                  fill=255)
        gait = rnd.uniform(-0.15, 0.15)
        for lx in (-0.38, -0.26, 0.26, 0.38):
            fx = x + lx * bw
            d.line((fx, by + bh * 0.7, fx + gait * s * (1 if lx > 0 else -1), y), fill=255, width=max(2, int(s * 0.06)))
        tx = x - face * bw / 2
        d.line((tx, by + bh * 0.2, tx - face * s * 0.12, by + bh * 1.2), fill=255, width=max(2, int(s * 0.07)))
    return fill(img, soften(m, blur), hexrgb(colour))


def cranes(img, rnd, base, count, colour, lights="#ffb347", blur=1.0, scale=1.0):
    """Harbour gantry cranes with warning lights."""
    m, d = new_mask()
    lit, dl = new_mask()
    x = rnd.uniform(0.05, 0.2) * W
    for _ in range(count):
        s = scale * rnd.uniform(0.8, 1.2)
        h, span = 300 * s, 110 * s
        by = base * H
        w = max(2, int(6 * s))
        for lx in (x, x + span):
            d.line((lx, by, lx, by - h), fill=255, width=w)
        d.line((x, by - h * 0.55, x + span, by - h * 0.55), fill=255, width=w)
        d.line((x, by - h * 0.55, x + span, by), fill=255, width=max(1, w // 2))
        boom_l, boom_r = x - span * 1.4, x + span * 2.4
        d.line((boom_l, by - h, boom_r, by - h), fill=255, width=w + 2)
        d.line((x + span * 0.5, by - h * 1.35, boom_l, by - h), fill=255, width=max(1, w // 2))
        d.line((x + span * 0.5, by - h * 1.35, boom_r, by - h), fill=255, width=max(1, w // 2))
        d.line((x + span * 0.5, by - h * 1.35, x + span * 0.5, by - h), fill=255, width=w)
        for px, py in ((boom_l, by - h), (boom_r, by - h), (x + span * 0.5, by - h * 1.35)):
            dl.ellipse((px - 5, py - 5, px + 5, py + 5), fill=255)
        x += span * rnd.uniform(3.4, 4.6)
    img = fill(img, soften(m, blur), hexrgb(colour))
    return light(img, radial_blobs(lit), hexrgb(lights))


def radial_blobs(mask: Image.Image) -> Image.Image:
    """Turn small dots into glowing lamps: a sharp core plus a wide halo."""
    return ImageChops.lighter(soften(mask, 1.5), scale_mask(soften(mask, 14), 4.0))


def lamps(img, rnd, points, colour, size=5):
    m, d = new_mask()
    for x, y in points:
        d.ellipse((x * W - size, y * H - size, x * W + size, y * H + size), fill=255)
    return light(img, radial_blobs(m), hexrgb(colour))


def lighthouse(img, rnd, x, base, height, colour, lamp="#fff2c4", beam=True):
    m, d = new_mask()
    cx, by, h = x * W, base * H, height * H
    d.polygon([(cx - h * 0.09, by), (cx + h * 0.09, by), (cx + h * 0.055, by - h), (cx - h * 0.055, by - h)], fill=255)
    d.rectangle((cx - h * 0.08, by - h * 1.02, cx + h * 0.08, by - h), fill=255)
    d.polygon([(cx - h * 0.06, by - h * 1.15), (cx + h * 0.06, by - h * 1.15), (cx, by - h * 1.25)], fill=255)
    img = fill(img, soften(m, 1.0), hexrgb(colour))
    ly = by - h * 1.08
    if beam:
        bm, bd = new_mask()
        bd.polygon([(cx, ly - 4), (0, ly - h * 0.5), (0, ly + h * 0.25), (cx, ly + 4)], fill=110)
        img = light(img, soften(bm, 18), hexrgb(lamp), 0.8)
    return lamps(img, rnd, [(cx / W, ly / H)], lamp, size=max(4, int(h * 0.03)))


def bridge(img, rnd, deck, x0, x1, colour, pylons=(0.35, 0.65), height=0.16, lights="#ffd9a0"):
    """A long cable-stayed bridge across the water."""
    m, d = new_mask()
    y = deck * H
    d.rectangle((x0 * W, y - 3, x1 * W, y + 3), fill=255)
    pts = []
    for px in pylons:
        x = px * W
        d.rectangle((x - 3, y - height * H, x + 3, y + 20), fill=255)
        for k in range(1, 9):
            d.line((x, y - height * H * (0.55 + k * 0.05), x - k * 26, y), fill=200, width=1)
            d.line((x, y - height * H * (0.55 + k * 0.05), x + k * 26, y), fill=200, width=1)
    for xx in range(int(x0 * W), int(x1 * W), 34):
        d.rectangle((xx - 2, y, xx + 2, y + 26), fill=255)
        pts.append((xx / W, (y - 4) / H))
    img = fill(img, soften(m, 0.7), hexrgb(colour))
    return lamps(img, rnd, pts[::2], lights, size=2)


def window(img, rnd, box, stops, frame="#120f0e", mullions=(2, 2), shaft=None):
    """An interior: a bright window in a dark room, with an optional shaft of light."""
    x0, y0, x1, y1 = (box[0] * W, box[1] * H, box[2] * W, box[3] * H)
    outside = vgradient(stops, (int(x1 - x0), int(y1 - y0)))
    img = img.copy()
    img.paste(outside, (int(x0), int(y0)))
    m, d = new_mask()
    for i in range(1, mullions[0]):
        x = x0 + (x1 - x0) * i / mullions[0]
        d.rectangle((x - 7, y0, x + 7, y1), fill=255)
    for j in range(1, mullions[1]):
        y = y0 + (y1 - y0) * j / mullions[1]
        d.rectangle((x0, y - 7, x1, y + 7), fill=255)
    img = fill(img, soften(m, 1.2), hexrgb(frame))
    spill = radial_mask((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 1.2, (y1 - y0) * 1.2, 2.2)
    img = light(img, spill, hexrgb(stops[-1][1]), 0.35)
    if shaft:
        sm, sd = new_mask()
        dx = shaft * W
        sd.polygon([(x0, y1), (x1, y1), (x1 + dx, H), (x0 + dx, H)], fill=120)
        img = light(img, soften(sm, 30), hexrgb(stops[-1][1]), 0.6)
    return img


def car_lights(img, rnd, points, colour="#ff3b2f", size=4):
    return lamps(img, rnd, points, colour, size)


LAYERS = {f.__name__: f for f in (sky, glow, stars, ridge, water, ground, fog, skyline, figure, portrait,
                                   bokeh, trees, poplars, road, poles, dunes, horses, cranes, lamps,
                                   lighthouse, bridge, window, car_lights)}


# ------------------------------------------------------------------------ finishing
def s_curve(amount: float):
    def f(v):
        x = v / 255
        y = x + amount * (x - x * x) * (2 * x - 1) * 2  # steepen the midtones
        return max(0, min(255, round(y * 255)))
    return f


def finish(img: Image.Image, rnd: random.Random, grade: dict) -> Image.Image:
    img = img.point(s_curve(grade.get("contrast", 0.25)))
    # Lifted, tinted blacks (screen) and a tinted highlight wash (multiply): the "grade".
    img = ImageChops.screen(img, solid(hexrgb(grade.get("shadows", "#14181e"))))
    img = ImageChops.multiply(img, solid(hexrgb(grade.get("highlights", "#fff6ea"))))
    if grade.get("saturation", 1.0) != 1.0:
        grey = ImageOps.grayscale(img).convert("RGB")
        img = Image.blend(grey, img, grade["saturation"])
    # Vignette.
    v = grade.get("vignette", 0.55)
    vig = radial_mask(W / 2, H / 2, W * 0.78, H * 0.82, 0.9)
    vig = vig.point(lambda x: round(255 * (1 - v) + x * v))
    img = ImageChops.multiply(img, vig.convert("RGB"))
    # Film grain: seeded noise at half resolution, softened, overlaid at low strength.
    gw, gh = W // 2, H // 2
    noise = Image.frombytes("L", (gw, gh), rnd.randbytes(gw * gh)).resize((W, H), Image.Resampling.BICUBIC)
    noise = Image.blend(Image.new("L", (W, H), 128), noise, grade.get("grain", 0.09))
    return ImageChops.overlay(img, noise.convert("RGB"))


def render(name: str, scene: list[tuple], grade: dict) -> Image.Image:
    rnd = random.Random(f"{SEED}/{name}")
    img = solid((0, 0, 0))
    for layer, options in scene:
        img = LAYERS[layer](img, rnd, **options)
    return finish(img, rnd, grade)


# --------------------------------------------------------------------------- stills
# name -> (scene layers, grade). Every film has its own palette.
STILLS: dict[str, tuple[list[tuple[str, dict]], dict]] = {
    # Rust and Bone: turquoise aqua park, the road south, Côte d'Azur dusk.
    "rust-and-bone-1.jpg": ([
        ("sky", dict(stops=[(0, "#5fb4c9"), (0.55, "#bfe3e6"), (1, "#e9f2ec")])),
        ("glow", dict(x=0.78, y=0.18, r=0.35, colour="#fff6d8", strength=0.8)),
        ("ridge", dict(base=0.52, amp=0.05, colour="#7fa3ad", blur=3)),
        ("water", dict(top=0.55, stops=[(0, "#1f9bb0"), (0.5, "#0f6f8a"), (1, "#06374a")],
                       shimmer="#e8ffff", shimmer_x=0.7, shimmer_w=0.12, shimmer_strength=0.7)),
        ("ground", dict(top=0.86, stops=[(0, "#dfe6e2"), (0.1, "#a9b6b4"), (1, "#56666a")])),
        ("figure", dict(x=0.3, base=0.9, height=0.48, colour="#0d1a22", coat=False)),
    ], dict(shadows="#0b2630", highlights="#fff3e2", contrast=0.3, vignette=0.45)),
    "rust-and-bone-2.jpg": ([
        ("sky", dict(stops=[(0, "#e3b77a"), (0.5, "#f1d7a6"), (1, "#f7e8c8")])),
        ("glow", dict(x=0.62, y=0.46, r=0.4, colour="#fff1c0", strength=0.9)),
        ("ridge", dict(base=0.5, amp=0.07, colour="#a88a6a", blur=3)),
        ("ground", dict(top=0.5, stops=[(0, "#a4825a"), (1, "#4a3526")])),
        ("road", dict(horizon=0.5, vx=0.6, colour="#2c2a2a", line="#e6d8b0", width=1.3)),
        ("poles", dict(horizon=0.5, vx=0.6, side=-1, colour="#2a1f18", count=7)),
        ("car_lights", dict(points=[(0.598, 0.515), (0.604, 0.515)], size=3)),
    ], dict(shadows="#2a1a10", highlights="#fff0d6", contrast=0.28, vignette=0.55)),
    "rust-and-bone-3.jpg": ([
        ("sky", dict(stops=[(0, "#2a1e4a"), (0.45, "#9c4a6e"), (0.8, "#f08a5d"), (1, "#ffc58a")])),
        ("glow", dict(x=0.3, y=0.62, r=0.3, colour="#ffb070", strength=0.8)),
        ("ridge", dict(base=0.6, amp=0.12, colour="#3b2440", blur=2)),
        ("skyline", dict(base=0.63, low=0.005, high=0.025, colour="#24162e", windows="#ffd38a", density=0.4, width=(8, 30))),
        ("water", dict(top=0.63, stops=[(0, "#a05a6a"), (0.4, "#4a2a48"), (1, "#140c1e")],
                       shimmer="#ffcf96", shimmer_x=0.3, shimmer_w=0.07)),
    ], dict(shadows="#1a0f24", highlights="#fff0e6", contrast=0.2, vignette=0.6)),

    # The Last Summer of Anna Weiss: Austrian lake, a summer-house window, a golden wood.
    "the-last-summer-of-anna-weiss-1.jpg": ([
        ("sky", dict(stops=[(0, "#9fb8c6"), (0.6, "#e6e2cf"), (1, "#f4ecd2")])),
        ("glow", dict(x=0.2, y=0.3, r=0.45, colour="#fff4d0", strength=0.7)),
        ("ridge", dict(base=0.42, amp=0.22, colour="#8a9aa3", blur=4, rough=0.3)),
        ("ridge", dict(base=0.52, amp=0.12, colour="#4b5e58", blur=2)),
        ("water", dict(top=0.55, stops=[(0, "#9fb1ad"), (0.5, "#54706c"), (1, "#1c2b2a")],
                       shimmer="#fff8e0", shimmer_x=0.22, shimmer_w=0.1, shimmer_strength=0.5)),
        ("fog", dict(y=0.52, height=0.06, colour="#e8e6d8", strength=0.5)),
        ("figure", dict(x=0.72, base=0.9, height=0.42, colour="#141817")),
    ], dict(shadows="#18201e", highlights="#fff6e4", contrast=0.2, vignette=0.5, saturation=0.8)),
    "the-last-summer-of-anna-weiss-2.jpg": ([
        ("sky", dict(stops=[(0, "#2a2220"), (1, "#120e0d")])),
        ("window", dict(box=(0.46, 0.12, 0.8, 0.7), stops=[(0, "#cfe0e6"), (0.6, "#f3ecd6"), (1, "#b9c6a0")],
                        mullions=(2, 3), shaft=-0.25)),
        ("figure", dict(x=0.34, base=1.02, height=0.75, colour="#0a0808", blur=3)),
    ], dict(shadows="#1a1410", highlights="#fff2dc", contrast=0.22, vignette=0.6)),
    "the-last-summer-of-anna-weiss-3.jpg": ([
        ("sky", dict(stops=[(0, "#c9a45a"), (0.5, "#efd28d"), (1, "#f6e6b5")])),
        ("glow", dict(x=0.55, y=0.4, r=0.5, colour="#fff0b8", strength=0.9)),
        ("fog", dict(y=0.55, height=0.3, colour="#f1dc9e", strength=0.5)),
        ("trees", dict(count=26, base=1.02, low=1.1, high=1.2, colour="#6a5434", blur=5, thick=(6, 16))),
        ("trees", dict(count=14, base=1.02, low=1.1, high=1.2, colour="#2e2416", blur=1.5, thick=(14, 40))),
    ], dict(shadows="#221a0e", highlights="#fff2d8", contrast=0.25, vignette=0.55)),

    # Harbour Lights: a west-of-Ireland harbour at night, a cliff path by day.
    "harbour-lights-1.jpg": ([
        ("sky", dict(stops=[(0, "#0a1024"), (0.6, "#1d2b4a"), (1, "#3a4a6a")])),
        ("stars", dict(count=260, horizon=0.5)),
        ("ridge", dict(base=0.6, amp=0.1, colour="#0c1220", blur=1.5)),
        ("skyline", dict(base=0.62, low=0.02, high=0.05, colour="#0b0f1a", windows="#ffc66e", density=0.15,
                         width=(30, 60))),
        ("water", dict(top=0.62, stops=[(0, "#22304e"), (1, "#05070d")], shimmer="#ffc66e",
                       shimmer_x=0.45, shimmer_w=0.2, shimmer_strength=0.5)),
        ("lighthouse", dict(x=0.86, base=0.6, height=0.2, colour="#080b14")),
    ], dict(shadows="#0a1020", highlights="#f4f0ff", contrast=0.22, vignette=0.6)),
    "harbour-lights-2.jpg": ([
        ("sky", dict(stops=[(0, "#8a98a8"), (0.6, "#c8cfd2"), (1, "#dadcd6")])),
        ("glow", dict(x=0.7, y=0.25, r=0.4, colour="#ffffff", strength=0.5)),
        ("water", dict(top=0.5, stops=[(0, "#7d8e96"), (1, "#34444c")], shimmer="#ffffff", shimmer_x=0.7,
                       shimmer_strength=0.3)),
        ("ridge", dict(base=0.8, amp=0.3, colour="#3f4a36", blur=1.5, rough=0.15, waves=2)),
        ("ridge", dict(base=1.0, amp=0.2, colour="#262d22", blur=1.5, rough=0.1, waves=2)),
        ("figure", dict(x=0.26, base=1.0, height=0.55, colour="#10130e", blur=2)),
    ], dict(shadows="#141c1c", highlights="#f4f6f4", contrast=0.28, vignette=0.5, saturation=0.75)),

    # The Drowned City: a lagoon city in winter mist.
    "the-drowned-city-1.jpg": ([
        ("sky", dict(stops=[(0, "#8c9490"), (0.6, "#c9c7b8"), (1, "#dedbc9")])),
        ("glow", dict(x=0.5, y=0.42, r=0.4, colour="#fff4dc", strength=0.6)),
        ("skyline", dict(base=0.58, low=0.03, high=0.1, colour="#6d716a", blur=3, width=(25, 80))),
        ("fog", dict(y=0.56, height=0.08, colour="#d8d6c6", strength=0.7)),
        ("water", dict(top=0.58, stops=[(0, "#aaa99a"), (0.5, "#6a6d64"), (1, "#262925")],
                       shimmer="#fff8e6", shimmer_x=0.5, shimmer_strength=0.35)),
        ("ground", dict(top=0.9, stops=[(0, "#4a4a42"), (1, "#1c1c18")])),
        ("lamps", dict(points=[(0.08, 0.5), (0.92, 0.5)], colour="#fff0c8", size=4)),
        ("figure", dict(x=0.18, base=0.94, height=0.36, colour="#1a1c1a")),
    ], dict(shadows="#1c1e1c", highlights="#fff8ec", contrast=0.18, vignette=0.5, saturation=0.7)),
    "the-drowned-city-2.jpg": ([
        ("sky", dict(stops=[(0, "#1b2a2c"), (0.7, "#3e5552"), (1, "#6a7e72")])),
        ("skyline", dict(base=0.7, low=0.2, high=0.35, colour="#0f1716", windows="#f2c57c", density=0.08,
                         width=(60, 140))),
        ("water", dict(top=0.7, stops=[(0, "#33463f"), (1, "#070b0a")], shimmer="#f2c57c", shimmer_x=0.6,
                       shimmer_w=0.15, shimmer_strength=0.45)),
        ("lamps", dict(points=[(0.22, 0.62), (0.41, 0.6), (0.63, 0.61), (0.84, 0.59)], colour="#ffcf8a", size=6)),
    ], dict(shadows="#0c1412", highlights="#fff2e0", contrast=0.25, vignette=0.6)),
    "the-drowned-city-3.jpg": ([
        ("sky", dict(stops=[(0, "#261b16"), (1, "#0d0907")])),
        ("window", dict(box=(0.12, 0.18, 0.42, 0.78), stops=[(0, "#d9d6c4"), (0.7, "#a7ad9e"), (1, "#6e7a70")],
                        mullions=(2, 4), shaft=0.3)),
        ("portrait", dict(x=0.72, colour="#070505", facing=-1)),
    ], dict(shadows="#16110c", highlights="#fff0dc", contrast=0.2, vignette=0.65, saturation=0.8)),

    # Eleni's Letters: Thessaloniki seafront, a shuttered afternoon room.
    "elenis-letters-1.jpg": ([
        ("sky", dict(stops=[(0, "#3e7fb8"), (0.6, "#a8cfe6"), (1, "#eaf2f0")])),
        ("glow", dict(x=0.85, y=0.12, r=0.45, colour="#fffbe8", strength=0.8)),
        ("ridge", dict(base=0.5, amp=0.08, colour="#8fa6b4", blur=4)),
        ("water", dict(top=0.52, stops=[(0, "#3f86ae"), (0.6, "#1f5a82"), (1, "#0d2c44")],
                       shimmer="#ffffff", shimmer_x=0.82, shimmer_w=0.1)),
        ("ground", dict(top=0.86, stops=[(0, "#d8d2c2"), (1, "#9e988a")])),
        ("figure", dict(x=0.4, base=0.93, height=0.4, colour="#1a2430")),
        ("figure", dict(x=0.47, base=0.93, height=0.36, colour="#1a2430", lean=-0.02)),
    ], dict(shadows="#0e1c2a", highlights="#fff8ee", contrast=0.28, vignette=0.45)),
    "elenis-letters-2.jpg": ([
        ("sky", dict(stops=[(0, "#3a2c26"), (1, "#1a1311")])),
        ("window", dict(box=(0.3, 0.05, 0.7, 0.85), stops=[(0, "#f7e9cf"), (1, "#ffd9a0")],
                        mullions=(6, 1), shaft=0.15, frame="#2a1d17")),
        ("bokeh", dict(count=30, colours=["#ffe2b0"], region=(0.3, 0.1, 0.7, 0.9), strength=0.4)),
    ], dict(shadows="#1e140f", highlights="#fff0dc", contrast=0.2, vignette=0.65)),

    # 7 Days in Lisbon: pastel city at golden hour, tram lights in the evening.
    "7-days-in-lisbon-1.jpg": ([
        ("sky", dict(stops=[(0, "#f2a774"), (0.5, "#f8cf9b"), (1, "#fbe7c4")])),
        ("glow", dict(x=0.15, y=0.48, r=0.4, colour="#fff0c8", strength=1.0)),
        ("skyline", dict(base=0.7, low=0.06, high=0.16, colour="#b2715a", windows="#ffe9b8", density=0.1,
                         width=(30, 70))),
        ("skyline", dict(base=0.85, low=0.1, high=0.22, colour="#6e3b32", width=(50, 110))),
        ("ground", dict(top=0.85, stops=[(0, "#4a2722"), (1, "#1e100e")])),
    ], dict(shadows="#2a140f", highlights="#fff1e0", contrast=0.25, vignette=0.5)),
    "7-days-in-lisbon-2.jpg": ([
        ("sky", dict(stops=[(0, "#1c2240"), (0.6, "#5a3f66"), (1, "#c46f6a")])),
        ("bokeh", dict(count=60, colours=["#ffd08a", "#ff9a6a", "#ffe8c0"], region=(0, 0.2, 1, 0.9),
                       rmin=20, rmax=70, blur=8, strength=0.6)),
        ("portrait", dict(x=0.3, colour="#0d0a12", facing=1)),
    ], dict(shadows="#140e1e", highlights="#fff0e8", contrast=0.2, vignette=0.55)),

    # Cold Meridian: Barents Sea ice, a port at the polar night, a cabin.
    "cold-meridian-1.jpg": ([
        ("sky", dict(stops=[(0, "#0c1a2a"), (0.5, "#2c5a6a"), (1, "#8fb8b4")])),
        ("glow", dict(x=0.5, y=0.62, r=0.6, colour="#b8f0d8", strength=0.4, squash=0.4)),
        ("ground", dict(top=0.62, stops=[(0, "#c9dcdc"), (0.4, "#90aeb2"), (1, "#3a5460")])),
        ("figure", dict(x=0.62, base=0.74, height=0.08, colour="#0c1218", blur=1.0)),
        ("poles", dict(horizon=0.62, vx=0.85, side=-1, colour="#111a22", count=6)),
    ], dict(shadows="#0a1822", highlights="#eef8ff", contrast=0.25, vignette=0.6, saturation=0.85)),
    "cold-meridian-2.jpg": ([
        ("sky", dict(stops=[(0, "#050a14"), (0.7, "#12233a"), (1, "#2a3e52")])),
        ("cranes", dict(base=0.66, count=3, colour="#04070c", lights="#ff6a3a", scale=1.1)),
        ("water", dict(top=0.66, stops=[(0, "#1a2a3c"), (1, "#020408")], shimmer="#ffb36a", shimmer_x=0.4,
                       shimmer_strength=0.4)),
        ("fog", dict(y=0.64, height=0.05, colour="#3a4c60", strength=0.5)),
        ("lamps", dict(points=[(0.1, 0.65), (0.35, 0.655), (0.58, 0.652), (0.9, 0.648)], colour="#ffc27a", size=4)),
    ], dict(shadows="#060c16", highlights="#f0f4ff", contrast=0.25, vignette=0.6)),
    "cold-meridian-3.jpg": ([
        ("sky", dict(stops=[(0, "#141a1e"), (1, "#080a0c")])),
        ("window", dict(box=(0.58, 0.2, 0.86, 0.62), stops=[(0, "#4f7f8f"), (1, "#a9d4d6")], mullions=(2, 2),
                        frame="#0a0c0e")),
        ("glow", dict(x=0.22, y=0.7, r=0.2, colour="#ff9a4a", strength=0.8)),
        ("portrait", dict(x=0.36, colour="#050607", facing=1)),
    ], dict(shadows="#0a1216", highlights="#f2f6f8", contrast=0.22, vignette=0.65)),

    # The Silence of the Harbour: Galician fishing port, fog and sodium light.
    "the-silence-of-the-harbour-1.jpg": ([
        ("sky", dict(stops=[(0, "#3a3f3c"), (0.6, "#7f7a66"), (1, "#b0a384")])),
        ("cranes", dict(base=0.6, count=2, colour="#1d1f1c", lights="#ffb347", blur=2.5, scale=0.8)),
        ("fog", dict(y=0.55, height=0.15, colour="#a49a80", strength=0.6)),
        ("water", dict(top=0.6, stops=[(0, "#6f6a58"), (1, "#15150f")], shimmer="#ffc46a", shimmer_x=0.55,
                       shimmer_strength=0.35)),
        ("figure", dict(x=0.82, base=0.95, height=0.48, colour="#0e0e0b")),
    ], dict(shadows="#171611", highlights="#fff4dc", contrast=0.22, vignette=0.6, saturation=0.8)),
    "the-silence-of-the-harbour-2.jpg": ([
        ("sky", dict(stops=[(0, "#0c0d10"), (1, "#1f1c18")])),
        ("lamps", dict(points=[(0.15, 0.3), (0.5, 0.26), (0.85, 0.31)], colour="#ffa43a", size=8)),
        ("glow", dict(x=0.5, y=0.3, r=0.3, colour="#ff9a30", strength=0.4)),
        ("ground", dict(top=0.7, stops=[(0, "#2a2620"), (1, "#0a0908")])),
        ("figure", dict(x=0.48, base=0.78, height=0.3, colour="#050505")),
        ("car_lights", dict(points=[(0.88, 0.72), (0.92, 0.72)], colour="#fff3d0", size=6)),
    ], dict(shadows="#12100c", highlights="#fff0d8", contrast=0.22, vignette=0.7)),

    # Undertow (Öresund): the bridge in grey light, a pine wood at night.
    "undertow-1.jpg": ([
        ("sky", dict(stops=[(0, "#5d6a74"), (0.6, "#a9b2b4"), (1, "#cbd0cc")])),
        ("water", dict(top=0.55, stops=[(0, "#7b878a"), (1, "#232c30")], shimmer="#e8eef0", shimmer_x=0.3,
                       shimmer_strength=0.3)),
        ("bridge", dict(deck=0.5, x0=-0.05, x1=1.05, colour="#2a3236", pylons=(0.28, 0.62), height=0.22)),
        ("fog", dict(y=0.5, height=0.1, colour="#b3bab9", strength=0.45)),
        ("figure", dict(x=0.8, base=0.92, height=0.38, colour="#10161a")),
    ], dict(shadows="#141c20", highlights="#f2f6f6", contrast=0.25, vignette=0.5, saturation=0.6)),
    "undertow-2.jpg": ([
        ("sky", dict(stops=[(0, "#03070a"), (1, "#112024")])),
        ("fog", dict(y=0.7, height=0.2, colour="#2a4440", strength=0.6)),
        ("trees", dict(count=40, base=1.02, low=1.05, high=1.1, colour="#0e1b1c", blur=4, thick=(6, 14))),
        ("car_lights", dict(points=[(0.46, 0.74), (0.54, 0.74)], colour="#e8f4ff", size=7)),
        ("trees", dict(count=12, base=1.02, low=1.05, high=1.1, colour="#020404", blur=1.2, thick=(18, 40))),
    ], dict(shadows="#061012", highlights="#eef6f6", contrast=0.25, vignette=0.65)),

    # Low Tide at Canvey: estuary mud, refinery towers, pink winter light.
    "low-tide-at-canvey-1.jpg": ([
        ("sky", dict(stops=[(0, "#6b6a80"), (0.55, "#d2a7a4"), (1, "#efcdb4")])),
        ("glow", dict(x=0.68, y=0.58, r=0.35, colour="#ffe0c0", strength=0.7)),
        ("skyline", dict(base=0.6, low=0.01, high=0.06, colour="#4a4250", width=(6, 24), blur=1.5)),
        ("lamps", dict(points=[(0.2, 0.53), (0.33, 0.55), (0.47, 0.545)], colour="#ff7a5a", size=3)),
        ("water", dict(top=0.6, stops=[(0, "#b99a9a"), (0.3, "#6a5a60"), (1, "#2a2228")], shimmer="#ffe6cc",
                       shimmer_x=0.68, shimmer_w=0.12, shimmer_strength=0.6)),
        ("figure", dict(x=0.4, base=0.82, height=0.22, colour="#17131a")),
    ], dict(shadows="#1a1420", highlights="#fff2ea", contrast=0.22, vignette=0.5, saturation=0.85)),

    # Desert Star (L'Étoile du désert): Saharan dunes at noon and under the stars.
    "desert-star-1.jpg": ([
        ("sky", dict(stops=[(0, "#c7844a"), (0.5, "#eab57a"), (1, "#f7dcb0")])),
        ("glow", dict(x=0.72, y=0.3, r=0.45, colour="#fff1cc", strength=1.0)),
        ("dunes", dict(layers=4, top=0.55, colours=["#c88a52", "#a86a3c", "#7e4a2a", "#4e2c1a"])),
        ("horses", dict(count=3, base=0.62, size=0.045, colour="#2a170c", spread=(0.3, 0.45))),
        ("figure", dict(x=0.25, base=0.64, height=0.07, colour="#2a170c", blur=1)),
    ], dict(shadows="#2a160a", highlights="#fff0d8", contrast=0.25, vignette=0.55)),
    "desert-star-2.jpg": ([
        ("sky", dict(stops=[(0, "#03040c"), (0.6, "#141a34"), (1, "#3c3050")])),
        ("stars", dict(count=1400, horizon=0.75)),
        ("glow", dict(x=0.3, y=0.8, r=0.2, colour="#ff8a3a", strength=0.7)),
        ("dunes", dict(layers=3, top=0.72, colours=["#1c1622", "#100c14", "#060408"])),
    ], dict(shadows="#08081a", highlights="#f0eeff", contrast=0.2, vignette=0.55, grain=0.13)),

    # The Road East: flat Polish fields, poplars, a grey morning.
    "the-road-east-1.jpg": ([
        ("sky", dict(stops=[(0, "#8e9aa0"), (0.6, "#cdd0c4"), (1, "#e0dccb")])),
        ("ground", dict(top=0.56, stops=[(0, "#8c8e66"), (0.5, "#5e6440"), (1, "#2c2e1e")])),
        ("road", dict(horizon=0.56, vx=0.45, colour="#4a4a46", line="#cfcab0", width=0.9, dashes=False)),
        ("poplars", dict(count=12, base=0.56, x0=0.05, x1=0.43, height=0.5, colour="#2f3524")),
        ("poplars", dict(count=12, base=0.56, x0=0.88, x1=0.47, height=0.5, colour="#2f3524")),
        ("fog", dict(y=0.55, height=0.06, colour="#d4d4c4", strength=0.5)),
        ("car_lights", dict(points=[(0.445, 0.575)], colour="#fff0c8", size=3)),
    ], dict(shadows="#181c14", highlights="#f8f6ec", contrast=0.22, vignette=0.5, saturation=0.75)),

    # Where the Horses Run: Mongolian steppe, a herd at dusk.
    "where-the-horses-run-1.jpg": ([
        ("sky", dict(stops=[(0, "#3d6ea8"), (0.55, "#9ec3df"), (1, "#e3ecd9")])),
        ("ridge", dict(base=0.6, amp=0.06, colour="#7c8e88", blur=4, rough=0.2)),
        ("ground", dict(top=0.62, stops=[(0, "#a6a86a"), (0.5, "#7a7e46"), (1, "#3e4226")])),
        ("horses", dict(count=14, base=0.72, size=0.06, colour="#2a2218", spread=(0.15, 0.85))),
        ("figure", dict(x=0.88, base=0.8, height=0.14, colour="#2a2218")),
    ], dict(shadows="#161a14", highlights="#fff8ea", contrast=0.25, vignette=0.45)),
    "where-the-horses-run-2.jpg": ([
        ("sky", dict(stops=[(0, "#2a2448"), (0.5, "#b4566a"), (0.85, "#f2a060"), (1, "#ffd58a")])),
        ("glow", dict(x=0.55, y=0.72, r=0.35, colour="#ffcf80", strength=0.9)),
        ("ground", dict(top=0.74, stops=[(0, "#3a2028"), (1, "#0e080c")])),
        ("horses", dict(count=6, base=0.78, size=0.08, colour="#0b0608", spread=(0.2, 0.8))),
    ], dict(shadows="#140a14", highlights="#fff0e4", contrast=0.22, vignette=0.55)),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--only", nargs="*", help="file names to (re)generate")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(STILLS)
    unknown = [n for n in names if n not in STILLS]
    if unknown:
        parser.error(f"unknown still(s): {', '.join(unknown)}")
    total = 0
    for name in names:
        scene, grade = STILLS[name]
        path = args.out / name
        render(name, scene, grade).save(path, "JPEG", quality=QUALITY, dpi=DPI, optimize=True)
        size = path.stat().st_size
        total += size
        flag = "  (over 200 KB)" if size > 200_000 else ""
        print(f"{path.name:42} {size / 1024:6.0f} KB{flag}")
    print(f"{len(names)} stills, {total / 1024 / 1024:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
