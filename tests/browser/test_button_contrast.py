"""Every button variant keeps a readable label (WCAG AA, 4.5:1) at rest, hovered, pressed and
focused (QA: outline / ghost buttons turned white-on-transparent on hover and tap)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VARIANTS = [
    '<a class="button" href="#">Go</a>',
    '<a class="button ghost" href="#">Go</a>',
    '<a class="button secondary" href="#">Go</a>',
    '<a class="button danger" href="#">Go</a>',
    '<button type="button">Go</button>',
    '<button type="button" class="ghost">Go</button>',
    '<button type="button" class="secondary">Go</button>',
    '<button type="button" class="danger">Go</button>',
]

# The label's contrast against the first opaque background behind it.
CONTRAST = """el => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0.5) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_button_variants_keep_a_readable_label_in_every_state(chromium, live_server):
    page = chromium.new_page(viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "html => { const m = document.querySelector('main') || document.body;"
        " m.innerHTML = '<div id=t>' + html + '</div>'; }",
        "".join(f"<p>{v}</p>" for v in VARIANTS),
    )
    low = []
    for i, variant in enumerate(VARIANTS):
        el = page.locator("#t p").nth(i).locator("a, button")
        page.mouse.move(0, 0)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        states = {"rest": el.evaluate(CONTRAST)}
        el.hover()
        states["hover"] = el.evaluate(CONTRAST)
        page.mouse.down()
        states["active"] = el.evaluate(CONTRAST)
        page.mouse.up()
        page.mouse.move(0, 0)
        el.focus()
        page.keyboard.press("Shift")
        states["focus"] = el.evaluate(CONTRAST)
        low += [f"{variant} {state}: {ratio:.2f}" for state, ratio in states.items() if ratio < 4.5]
    page.close()
    connection.close()
    assert not low, low
