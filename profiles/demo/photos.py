"""Generated demo profile photos: a coloured gradient, a soft silhouette and the initial.

At most ``len(PALETTES)`` x (Hebrew + Latin initials) distinct images exist (a few hundred);
every member whose name starts with the same letter and gets the same palette shares one
file, so seeding 100 000 members writes a few hundred files, not 100 000.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageDraw, ImageFont

SIZE = (480, 600)  # portrait 4:5, like a phone photo crop
DEMO_DIR = "photos/demo"
PALETTES: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((255, 183, 77), (233, 30, 99)),  # honey -> raspberry
    ((129, 212, 250), (63, 81, 181)),  # sky -> indigo
    ((165, 214, 167), (0, 121, 107)),  # mint -> teal
    ((255, 204, 188), (191, 54, 12)),  # peach -> rust
    ((206, 147, 216), (74, 20, 140)),  # lilac -> purple
    ((255, 241, 118), (245, 124, 0)),  # lemon -> orange
)
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans Bold (has Hebrew) when installed, else Pillow's bundled font."""
    for path in _FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _has_glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ch: str) -> bool:
    try:
        box = font.getbbox(ch)
    except (UnicodeError, OSError):
        return False
    return box[2] > box[0]


@cache
def _base_layers() -> tuple[Image.Image, Image.Image]:
    """The vertical gradient mask and the head-and-shoulders silhouette (translucent white),
    shared by every avatar; the silhouette is drawn at 3x and scaled down (anti-aliased)."""
    w, h = SIZE
    ramp = Image.linear_gradient("L").resize((w, h))
    big = Image.new("RGBA", (w * 3, h * 3), (255, 255, 255, 0))
    draw = ImageDraw.Draw(big)
    cx = w * 3 // 2
    draw.ellipse((cx - 255, 450, cx + 255, 990), fill=(255, 255, 255, 80))
    draw.ellipse((cx - 570, 1080, cx + 570, 2280), fill=(255, 255, 255, 80))
    return ramp, big.resize((w, h), Image.Resampling.LANCZOS)


def render_avatar(*, initial: str, palette: int) -> bytes:
    """JPEG bytes of one avatar. Pure function of its arguments (deterministic)."""
    top, bottom = PALETTES[palette % len(PALETTES)]
    ramp, overlay = _base_layers()
    img = Image.composite(Image.new("RGB", SIZE, bottom), Image.new("RGB", SIZE, top), ramp)
    img = Image.alpha_composite(img.convert("RGBA"), overlay)
    cx = SIZE[0] // 2

    font = _font(150)
    if initial and _has_glyph(font, initial):
        draw = ImageDraw.Draw(img, "RGBA")
        draw.text((cx + 3, 248), initial, font=font, anchor="mm", fill=(0, 0, 0, 50))
        draw.text((cx, 245), initial, font=font, anchor="mm", fill=(255, 255, 255, 240))
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue()


class AvatarPool:
    """Creates each (initial, palette) avatar at most once in ``storage`` and returns its name.

    Files already in storage (an earlier seed) are reused, so re-seeding writes nothing new.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._names: dict[tuple[str, int], str] = {}
        self.created = 0

    def name_for(self, *, initial: str, palette: int) -> str:
        key = (initial, palette % len(PALETTES))
        name = self._names.get(key)
        if name is None:
            code = f"{ord(initial):04x}" if initial else "none"
            name = f"{DEMO_DIR}/avatar-{code}-{key[1]}.jpg"
            if not self.storage.exists(name):
                saved = self.storage.save(
                    name, ContentFile(render_avatar(initial=initial, palette=key[1]))
                )
                name = saved
                self.created += 1
            self._names[key] = name
        return name

    @property
    def distinct(self) -> int:
        return len(self._names)
