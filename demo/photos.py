"""Generated demo profile photos: illustrated head-and-shoulders portraits.

Each demo *person* (a gender and a number below :data:`PEOPLE`) has a fixed face: skin tone,
face shape, eyes, brows, hair style and colour, beard, glasses, earrings. Each *shot* of that
person changes the background, the clothes and the framing, so a member with three
photos shows one person in three pictures. At most ``len(GENDERS) x PEOPLE x SHOTS`` distinct
files exist (a few hundred), whatever the number of members, so seeding 100 000 members
writes a few hundred files, not 100 000. Everything is drawn offline with Pillow and is a pure
function of its arguments (the same portrait byte for byte on every run).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageDraw, ImageFilter

SIZE = (480, 600)  # portrait 4:5, like a phone photo crop
DEMO_DIR = "photos/demo"
PEOPLE = 48  # distinct faces per gender
SHOTS = 3  # pictures per face (a member has 1-3 photos)
_SCALE = 2  # drawn at 2x, scaled down (anti-aliased)

RGB = tuple[int, int, int]

SKIN_TONES: tuple[tuple[RGB, RGB], ...] = (  # (skin, shade)
    ((255, 224, 200), (236, 190, 160)),
    ((248, 208, 176), (226, 172, 138)),
    ((241, 194, 153), (214, 156, 116)),
    ((224, 172, 126), (196, 138, 95)),
    ((198, 142, 99), (168, 112, 74)),
    ((166, 112, 74), (136, 86, 54)),
    ((132, 86, 56), (104, 64, 40)),
    ((96, 62, 42), (74, 46, 30)),
)
HAIR_COLOURS: tuple[RGB, ...] = (
    (28, 22, 20),  # black
    (58, 38, 28),  # dark brown
    (102, 66, 40),  # brown
    (150, 82, 40),  # auburn
    (212, 168, 96),  # blonde
    (236, 206, 140),  # light blonde
    (170, 170, 170),  # grey
    (196, 86, 40),  # red
)
EYE_COLOURS: tuple[RGB, ...] = (
    (84, 52, 30),
    (60, 40, 24),
    (112, 96, 44),
    (64, 110, 160),
    (70, 120, 80),
)
LIP_COLOURS: tuple[RGB, ...] = ((196, 92, 96), (176, 80, 84), (214, 110, 120), (150, 70, 70))
CLOTHES: tuple[RGB, ...] = (
    (233, 30, 99),
    (63, 81, 181),
    (0, 121, 107),
    (245, 124, 0),
    (74, 20, 140),
    (33, 33, 33),
    (250, 250, 250),
    (121, 85, 72),
    (0, 151, 167),
    (198, 40, 40),
    (124, 179, 66),
    (255, 202, 40),
)
BACKGROUNDS: tuple[tuple[RGB, RGB], ...] = (  # top, bottom
    ((255, 236, 179), (255, 183, 77)),  # honey
    ((187, 222, 251), (100, 181, 246)),  # sky
    ((200, 230, 201), (102, 187, 106)),  # park
    ((255, 205, 210), (240, 98, 146)),  # rose
    ((225, 190, 231), (149, 117, 205)),  # lilac
    ((178, 235, 242), (38, 198, 218)),  # sea
    ((255, 224, 178), (255, 138, 101)),  # sunset
    ((236, 239, 241), (176, 190, 197)),  # studio
)
FEMALE_HAIR = ("long", "long", "bob", "bun", "curly", "ponytail", "afro", "wavy")
MALE_HAIR = ("crop", "side", "buzz", "curly", "bald", "crop", "side", "afro")


@dataclass(frozen=True)
class Face:
    """The fixed look of one demo person."""

    skin: RGB
    shade: RGB
    hair: RGB
    hair_style: str
    eyes: RGB
    lips: RGB
    face_width: int  # px at 1x, half of the head's width
    face_height: int  # px at 1x, half of the head's height
    beard: str  # "", "stubble" or "full"
    glasses: bool
    earrings: bool
    smile: int  # 0 closed, 1 open


@cache
def face_for(gender: str, person: int) -> Face:
    """The face of demo person ``person`` of ``gender`` (deterministic)."""
    rng = random.Random(f"face:{gender}:{person}")
    skin, shade = rng.choice(SKIN_TONES)
    styles = {"male": MALE_HAIR, "female": FEMALE_HAIR}.get(gender, MALE_HAIR + FEMALE_HAIR)
    style = rng.choice(styles)
    hair = rng.choice(HAIR_COLOURS[:6]) if rng.random() < 0.9 else rng.choice(HAIR_COLOURS)
    masculine = gender == "male" or (gender not in ("male", "female") and style in MALE_HAIR)
    return Face(
        skin=skin,
        shade=shade,
        hair=hair,
        hair_style=style,
        eyes=rng.choice(EYE_COLOURS),
        lips=rng.choice(LIP_COLOURS),
        face_width=rng.randint(78, 92),
        face_height=rng.randint(100, 114),
        beard=rng.choice(("", "", "stubble", "full")) if masculine else "",
        glasses=rng.random() < 0.22,
        earrings=(not masculine) and rng.random() < 0.5,
        smile=rng.randint(0, 1),
    )


def _darker(colour: RGB, amount: float = 0.7) -> RGB:
    return (int(colour[0] * amount), int(colour[1] * amount), int(colour[2] * amount))


def _mix(base: RGB, over: RGB, amount: float) -> RGB:
    """``over`` laid on ``base`` at opacity ``amount`` (0-1), as one opaque colour."""
    return (
        round(base[0] + (over[0] - base[0]) * amount),
        round(base[1] + (over[1] - base[1]) * amount),
        round(base[2] + (over[2] - base[2]) * amount),
    )


def _background(top: RGB, bottom: RGB, rng: random.Random) -> Image.Image:
    """A vertical gradient with soft lights, at the final size (RGBA)."""
    w, h = SIZE
    ramp = Image.linear_gradient("L").resize((w, h))
    img = Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), ramp)
    # Soft out-of-focus lights, drawn and blurred at 1/8 size (cheap), then scaled up.
    small = Image.new("RGBA", (w // 8, h // 8), (255, 255, 255, 0))
    draw = ImageDraw.Draw(small)
    for _ in range(7):
        r = rng.randint(30, 110) / 8
        x, y = rng.uniform(0, w / 8), rng.uniform(0, h * 0.7 / 8)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(25, 60)))
    bokeh = small.filter(ImageFilter.GaussianBlur(2)).resize((w, h), Image.Resampling.BILINEAR)
    return Image.alpha_composite(img.convert("RGBA"), bokeh)


@dataclass(frozen=True)
class _Pen:
    """Draws one face's figure on the 2x layer in 1x units, head centred at (cx, cy)."""

    d: ImageDraw.ImageDraw
    face: Face
    cx: int = 240
    cy: int = 262

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        s = _SCALE
        return (int(x0 * s), int(y0 * s), int(x1 * s), int(y1 * s))


def _figure(face: Face, shirt: RGB, neckline: str) -> Image.Image:
    """The person on a transparent layer (2x), head centred at (240, 262) in 1x units: drawn
    back to front, one step per part of the picture."""
    layer = Image.new("RGBA", (SIZE[0] * _SCALE, SIZE[1] * _SCALE), (0, 0, 0, 0))
    pen = _Pen(ImageDraw.Draw(layer), face)
    _hair_behind(pen)
    _body(pen, shirt, neckline)
    _head(pen)
    _hair_on_top(pen)
    _beard(pen)
    _features(pen)
    return layer


def _hair_behind(pen: _Pen) -> None:
    """Hair that falls behind the head and shoulders."""
    s = _SCALE
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    fw = face.face_width
    fh = face.face_height
    top = cy - fh
    hair, style = face.hair, face.hair_style
    if style in ("long", "wavy"):
        d.rounded_rectangle(
            box(cx - fw - 22, top + 10, cx + fw + 22, cy + fh + 80), 60 * s, fill=hair
        )
        if style == "wavy":
            for i in range(6):
                y = top + 60 + i * 38
                d.ellipse(box(cx - fw - 36, y, cx - fw + 4, y + 44), fill=hair)
                d.ellipse(box(cx + fw - 4, y, cx + fw + 36, y + 44), fill=hair)
    elif style == "bob":
        d.rounded_rectangle(
            box(cx - fw - 20, top + 4, cx + fw + 20, cy + fh - 20), 50 * s, fill=hair
        )
    elif style == "afro":
        d.ellipse(box(cx - fw - 55, top - 50, cx + fw + 55, cy + 40), fill=hair)
    elif style == "ponytail":
        d.ellipse(box(cx + fw - 10, top + 40, cx + fw + 40, cy + 60), fill=hair)
    elif style == "bun":
        d.ellipse(box(cx - 36, top - 52, cx + 36, top + 18), fill=hair)


def _body(pen: _Pen, shirt: RGB, neckline: str) -> None:
    """Neck, shoulders and clothes."""
    s = _SCALE
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    fh = face.face_height
    d.rounded_rectangle(box(cx - 32, cy + fh - 40, cx + 32, cy + fh + 70), 14 * s, fill=face.shade)
    d.ellipse(box(cx - 200, cy + fh + 22, cx + 200, cy + fh + 400), fill=shirt)
    if neckline == "v":
        d.polygon(
            [
                (s * (cx - 34), s * (cy + fh + 26)),
                (s * (cx + 34), s * (cy + fh + 26)),
                (s * cx, s * (cy + fh + 92)),
            ],
            fill=face.shade,
        )
    elif neckline == "round":
        d.chord(box(cx - 40, cy + fh + 10, cx + 40, cy + fh + 80), 0, 180, fill=face.shade)
    else:  # collar
        d.polygon(
            [
                (s * (cx - 44), s * (cy + fh + 40)),
                (s * cx, s * (cy + fh + 90)),
                (s * (cx - 10), s * (cy + fh + 100)),
                (s * (cx - 54), s * (cy + fh + 52)),
            ],
            fill=_darker(shirt, 0.8),
        )
        d.polygon(
            [
                (s * (cx + 44), s * (cy + fh + 40)),
                (s * cx, s * (cy + fh + 90)),
                (s * (cx + 10), s * (cy + fh + 100)),
                (s * (cx + 54), s * (cy + fh + 52)),
            ],
            fill=_darker(shirt, 0.8),
        )


def _head(pen: _Pen) -> None:
    """Ears, then the head."""
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    fw = face.face_width
    fh = face.face_height
    top = cy - fh
    for side in (-1, 1):
        ex = cx + side * (fw - 4)
        d.ellipse(box(ex - 16, cy - 14, ex + 16, cy + 30), fill=face.skin)
        d.ellipse(box(ex - 8, cy - 4, ex + 8, cy + 20), fill=face.shade)
        if face.earrings:
            d.ellipse(box(ex - 6, cy + 30, ex + 6, cy + 42), fill=(255, 213, 79))
    d.ellipse(box(cx - fw, top, cx + fw, cy + fh), fill=face.skin)


def _hair_on_top(pen: _Pen) -> None:
    """Hair on top of the head."""
    s = _SCALE
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    fw = face.face_width
    fh = face.face_height
    top = cy - fh
    hair, style = face.hair, face.hair_style
    if style not in ("bald", "buzz"):
        d.chord(box(cx - fw - 6, top - 12, cx + fw + 6, cy + 10), 180, 360, fill=hair)
    if style in ("crop", "bob"):
        d.chord(box(cx - fw - 4, top - 12, cx + fw + 4, top + 100), 180, 360, fill=hair)
    elif style == "side":
        d.polygon(
            [
                (s * (cx - fw + 2), s * (top + 70)),
                (s * (cx - 20), s * (top + 26)),
                (s * (cx + fw - 2), s * (top + 52)),
                (s * (cx + fw), s * (top + 10)),
                (s * (cx - fw), s * (top + 10)),
            ],
            fill=hair,
        )
    elif style == "buzz":
        d.chord(
            box(cx - fw - 2, top - 8, cx + fw + 2, top + 80),
            180,
            360,
            fill=_mix(face.skin, hair, 0.8),
        )
    elif style in ("long", "wavy", "ponytail", "bun"):
        d.pieslice(box(cx - fw - 4, top - 8, cx + 10, top + 120), 180, 290, fill=hair)
        d.pieslice(box(cx - 10, top - 8, cx + fw + 4, top + 120), 250, 360, fill=hair)
    elif style in ("curly", "afro"):
        for i in range(11):
            x = cx - fw + i * (2 * fw) / 10
            y = top + 10 - (28 if 2 < i < 8 else 8)
            d.ellipse(box(x - 24, y - 18, x + 24, y + 30), fill=hair)


def _beard(pen: _Pen) -> None:
    """Beard under the features (the mouth is drawn on top of it)."""
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    fw = face.face_width
    fh = face.face_height
    hair = face.hair
    if face.beard:
        if face.beard == "full":
            d.chord(box(cx - fw, cy - 30, cx + fw, cy + fh + 2), 0, 180, fill=hair)
        else:
            d.chord(
                box(cx - fw + 6, cy + 10, cx + fw - 6, cy + fh + 2),
                0,
                180,
                fill=_mix(face.skin, hair, 0.3),
            )


def _features(pen: _Pen) -> None:
    """Eyes, brows, nose, cheeks, mouth."""
    s = _SCALE
    d = pen.d
    box = pen.box
    face = pen.face
    cx, cy = pen.cx, pen.cy
    hair, style = face.hair, face.hair_style
    eye_y = cy + 4
    for side in (-1, 1):
        ex = cx + side * 34
        d.ellipse(box(ex - 15, eye_y - 9, ex + 15, eye_y + 9), fill=(255, 255, 255))
        d.ellipse(box(ex - 8, eye_y - 8, ex + 8, eye_y + 8), fill=face.eyes)
        d.ellipse(box(ex - 4, eye_y - 4, ex + 4, eye_y + 4), fill=(20, 16, 16))
        d.ellipse(box(ex + 1, eye_y - 5, ex + 5, eye_y - 1), fill=(255, 255, 255))
        brow = _darker(hair, 0.8) if style != "bald" else _darker(face.shade, 0.6)
        d.arc(box(ex - 18, eye_y - 30, ex + 18, eye_y - 6), 200, 340, fill=brow, width=5 * s)
        if face.glasses:
            d.ellipse(
                box(ex - 24, eye_y - 20, ex + 24, eye_y + 20), outline=(40, 40, 40), width=4 * s
            )
        d.ellipse(
            box(ex - 18 + side * 10, eye_y + 26, ex + 18 + side * 10, eye_y + 46),
            fill=_mix(face.skin, (255, 120, 120), 0.25),
        )
    if face.glasses:
        d.line(box(cx - 10, eye_y - 2, cx + 10, eye_y - 2), fill=(40, 40, 40), width=4 * s)
    d.arc(box(cx - 10, eye_y + 10, cx + 10, eye_y + 44), 20, 160, fill=face.shade, width=4 * s)
    mouth_y = eye_y + 56
    if face.smile:
        d.chord(box(cx - 24, mouth_y - 14, cx + 24, mouth_y + 20), 0, 180, fill=face.lips)
        d.chord(box(cx - 18, mouth_y - 10, cx + 18, mouth_y + 8), 0, 180, fill=(255, 255, 255))
    else:
        d.arc(
            box(cx - 22, mouth_y - 18, cx + 22, mouth_y + 10), 20, 160, fill=face.lips, width=6 * s
        )


def render_portrait(*, gender: str, person: int, shot: int = 0) -> bytes:
    """JPEG bytes of picture ``shot`` of demo person ``person`` (a pure function of them).

    ``gender`` is a ``Member.Gender`` value; ``person`` and ``shot`` wrap around
    :data:`PEOPLE` and :data:`SHOTS`.
    """
    person %= PEOPLE
    shot %= SHOTS
    face = face_for(gender, person)
    rng = random.Random(f"shot:{gender}:{person}:{shot}")
    img = _background(*rng.choice(BACKGROUNDS), rng)
    figure = _figure(face, rng.choice(CLOTHES), rng.choice(("v", "round", "collar")))
    # Crop to the head and shoulders (4:5), as a phone photo would frame them; each shot
    # frames the person a little differently.
    dx, dy = rng.randint(-24, 24), rng.randint(-16, 10)
    frame = (60 + dx, 60 + dy, 420 + dx, 510 + dy)
    x0, y0, x1, y1 = (v * _SCALE for v in frame)
    figure = figure.crop((x0, y0, x1, y1)).resize(SIZE, Image.Resampling.BOX)
    img.alpha_composite(figure)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=84)
    return out.getvalue()


class PortraitPool:
    """Creates each (gender, person, shot) portrait at most once in ``storage`` and returns its
    name. Files already in storage (an earlier seed) are reused, so re-seeding writes nothing."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._names: dict[tuple[str, int, int], str] = {}
        self.created = 0

    def name_for(self, *, gender: str, person: int, shot: int = 0) -> str:
        """Storage name of the portrait, rendering and saving it on first use."""
        key = (gender, person % PEOPLE, shot % SHOTS)
        name = self._names.get(key)
        if name is None:
            name = f"{DEMO_DIR}/portrait-{key[0]}-{key[1]:02d}-{key[2]}.jpg"
            if not self.storage.exists(name):
                content = render_portrait(gender=key[0], person=key[1], shot=key[2])
                name = self.storage.save(name, ContentFile(content))
                self.created += 1
            self._names[key] = name
        return name

    @property
    def distinct(self) -> int:
        """Distinct portrait files this pool has handed out."""
        return len(self._names)
