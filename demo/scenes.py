"""Generated story pictures for the demo: simple flat-colour scenes (beach at sunset,
mountains, the city at night, a coffee cup, desert dunes, a park), drawn with Pillow.

Nothing is downloaded; each picture is a pure function of its scene name, so the same seed
gives the same stories. Portrait 540 x 960 (9:16, like a phone story).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

STORY_SIZE = (540, 960)
Colour = tuple[int, int, int]


def _sky(top: Colour, bottom: Colour) -> Image.Image:
    """A vertical gradient from ``top`` to ``bottom`` over the whole picture."""
    w, h = STORY_SIZE
    ramp = Image.linear_gradient("L").resize((w, h))
    return Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), ramp)


def _beach(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    draw.ellipse((w / 2 - 90, 430, w / 2 + 90, 610), fill=(255, 214, 120))
    draw.rectangle((0, 560, w, 780), fill=(38, 84, 140))
    for y in range(575, 770, 22):  # the sun's reflection and small waves
        half = 70 - (y - 575) // 4
        draw.line((w / 2 - half, y, w / 2 + half, y), fill=(255, 190, 120), width=4)
        x = rng.randrange(0, w - 80)
        draw.line((x, y + 9, x + rng.randint(30, 80), y + 9), fill=(90, 140, 190), width=2)
    draw.rectangle((0, 780, w, h), fill=(236, 200, 150))
    draw.polygon([(0, 800), (w, 770), (w, 790), (0, 815)], fill=(250, 240, 225))


def _mountains(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    draw.ellipse((380, 120, 460, 200), fill=(255, 250, 225))
    layers = ((120, 130, 150), (80, 110, 110), (50, 90, 70))
    for n, colour in enumerate(layers):
        base = 600 + n * 110
        points = [(0, h)]
        x = -40
        while x < w + 80:
            points.append((x, base - rng.randint(120, 260) + n * 40))
            x += rng.randint(120, 200)
            points.append((x, base))
            x += rng.randint(10, 40)
        points.append((w, h))
        draw.polygon(points, fill=colour)
    draw.rectangle((0, 880, w, h), fill=(40, 75, 55))


def _city(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    draw.ellipse((60, 110, 130, 180), fill=(250, 245, 220))
    for _ in range(40):
        x, y = rng.randrange(w), rng.randrange(420)
        draw.point((x, y), fill=(255, 255, 255))
    x = 0
    while x < w:
        bw = rng.randint(50, 95)
        top = rng.randint(380, 700)
        shade = rng.randint(25, 45)
        draw.rectangle((x, top, x + bw, h), fill=(shade, shade, shade + 25))
        for wy in range(top + 14, h - 20, 26):
            for wx in range(x + 8, x + bw - 12, 18):
                if rng.random() < 0.45:
                    draw.rectangle((wx, wy, wx + 8, wy + 12), fill=(255, 214, 120))
        x += bw + rng.randint(2, 8)


def _coffee(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    cx, cy = w // 2, h // 2 + 40
    draw.ellipse((cx - 200, cy - 200, cx + 200, cy + 200), fill=(245, 240, 232))  # saucer
    draw.ellipse((cx - 135, cy - 135, cx + 135, cy + 135), fill=(255, 255, 255))  # cup
    draw.ellipse((cx + 120, cy - 30, cx + 190, cy + 30), outline=(255, 255, 255), width=16)
    draw.ellipse((cx - 112, cy - 112, cx + 112, cy + 112), fill=(120, 72, 40))  # coffee
    draw.ellipse((cx - 80, cy - 80, cx + 80, cy + 80), fill=(196, 150, 105))  # crema
    # A latte-art heart.
    draw.ellipse((cx - 48, cy - 40, cx + 2, cy + 8), fill=(245, 230, 210))
    draw.ellipse((cx - 2, cy - 40, cx + 48, cy + 8), fill=(245, 230, 210))
    draw.polygon([(cx - 46, cy - 6), (cx + 46, cy - 6), (cx, cy + 48)], fill=(245, 230, 210))
    for _ in range(3):  # croissant crumbs
        x, y = rng.randint(40, w - 40), rng.choice((rng.randint(80, 200), rng.randint(780, 900)))
        draw.ellipse((x, y, x + 10, y + 7), fill=(210, 160, 90))


def _desert(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    draw.ellipse((320, 210, 440, 330), fill=(255, 236, 170))
    colours = ((233, 180, 110), (214, 150, 85), (190, 120, 65))
    for n, colour in enumerate(colours):
        y = 560 + n * 120
        bulge = rng.randint(60, 120)
        draw.ellipse((-200 + n * 90, y - bulge, w + 160 - n * 60, y + bulge * 3), fill=colour)
    draw.rectangle((0, 900, w, h), fill=colours[-1])


def _park(img: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = STORY_SIZE
    draw.ellipse((-120, 600, w + 120, 1300), fill=(110, 170, 80))
    for _ in range(4):
        x = rng.randint(30, w - 30)
        y = rng.randint(520, 660)
        size = rng.randint(70, 120)
        draw.rectangle((x - 8, y, x + 8, y + size), fill=(100, 70, 45))
        draw.ellipse((x - size, y - size * 1.3, x + size, y + size * 0.4), fill=(60, 130, 60))
    for _ in range(25):  # flowers
        x, y = rng.randint(0, w), rng.randint(760, h - 10)
        draw.ellipse((x, y, x + 9, y + 9), fill=rng.choice(((255, 120, 150), (255, 230, 90))))


SCENES = {
    "beach": ((250, 140, 90), (120, 70, 140), _beach),
    "mountains": ((120, 180, 230), (225, 235, 245), _mountains),
    "city": ((10, 15, 45), (60, 40, 90), _city),
    "coffee": ((170, 120, 80), (120, 80, 55), _coffee),
    "desert": ((120, 190, 240), (250, 220, 170), _desert),
    "park": ((150, 205, 245), (215, 235, 250), _park),
}


def render_story_scene(scene: str) -> bytes:
    """JPEG bytes of one story picture; deterministic for a given ``scene`` (a key of
    :data:`SCENES`)."""
    top, bottom, paint = SCENES[scene]
    img = _sky(top, bottom)
    paint(img, ImageDraw.Draw(img), random.Random(scene))
    img = img.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()
