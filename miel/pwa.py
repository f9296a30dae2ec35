"""The installable web app (issue 19 B): the manifest, the service worker, the offline page,
and the home-screen icons drawn with Pillow (the favicon's honey heart on a cream square)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

#: Theme and background colours of the installed app (the top bar's cream and the honey).
THEME_COLOR = "#e8a317"
BACKGROUND_COLOR = "#fff9f0"
#: Icon sizes browsers ask for (Android home screen / splash, iOS touch icon); 512 also maskable.
ICON_SIZES = (192, 512)
ICONS_DIR = Path(__file__).resolve().parent.parent / "static" / "img" / "icons"


def _heart(size: int, *, scale: float) -> Image.Image:
    """The favicon's heart (``static/img/favicon.svg``, a 64-unit path) drawn at ``size`` px,
    taking ``scale`` of the square (maskable icons keep it inside the 80 % safe zone)."""
    ss = 4  # supersampling for smooth edges
    big = size * ss
    img = Image.new("RGBA", (big, big), BACKGROUND_COLOR)
    draw = ImageDraw.Draw(img)
    unit = big * scale / 64
    off = (big - 64 * unit) / 2

    def p(x: float, y: float) -> tuple[float, float]:
        return (off + x * unit, off + y * unit + unit * 1.5)

    r = 13.5 * unit
    # Two lobes and the point: circles at the favicon's arc centres and a triangle below.
    for cx in (20.5, 43.5):
        x, y = p(cx, 23.5)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=THEME_COLOR)
    draw.polygon([p(8.9, 31.2), p(55.1, 31.2), p(32, 56)], fill=THEME_COLOR)
    draw.polygon([p(20.5, 17), p(43.5, 17), p(32, 35)], fill=THEME_COLOR)
    return img.resize((size, size), Image.Resampling.LANCZOS).convert("RGB")


def icons_draw(directory: Path = ICONS_DIR) -> list[Path]:
    """Write ``icon-<size>.png``, ``maskable-512.png`` and ``apple-touch-icon.png`` (180 px)
    into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for size in ICON_SIZES:
        path = directory / f"icon-{size}.png"
        _heart(size, scale=0.8).save(path, optimize=True)
        written.append(path)
    for name, size, scale in (("maskable-512.png", 512, 0.6), ("apple-touch-icon.png", 180, 0.75)):
        path = directory / name
        _heart(size, scale=scale).save(path, optimize=True)
        written.append(path)
    return written


def manifest_data(*, language: str) -> dict:
    """The web app manifest (JSON-able) with the name in ``language`` (the page's language):
    ``start_url`` Discover, standalone display, the theme colours and the icons."""
    from django.templatetags.static import static
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override(language):
        bidi = translation.get_language_bidi()
        return {
            "id": "/discover/",
            "name": _("Miel: meet people near you"),
            "short_name": "Miel",
            "description": _("Meet people near you, kindly."),
            "lang": language,
            "dir": "rtl" if bidi else "ltr",
            "start_url": "/discover/",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {
                    "src": static(f"img/icons/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any",
                }
                for size in ICON_SIZES
            ]
            + [
                {
                    "src": static("img/icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        }


#: Static files the service worker caches at install (the app shell), besides the offline page.
SHELL_FILES = (
    "css/miel.css",
    "js/realtime.js",
    "js/pwa.js",
    "img/favicon.svg",
    "img/icons/icon-192.png",
)
