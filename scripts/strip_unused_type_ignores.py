"""Remove the ``# type: ignore[...]`` comments mypy reports as unused (``warn_unused_ignores``).

    DJANGO_DEBUG=true .venv/bin/mypy | .venv/bin/python scripts/strip_unused_type_ignores.py

Reads mypy's output on stdin; for each ``Unused "type: ignore[...]" comment`` it drops the
unused codes from that line's comment (the whole comment when none is left). Prints what it
changed. ``make lint-fix`` runs it after merges, when other branches still add ignores that the
configuration no longer needs.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

REPORT = re.compile(
    r'^(?P<path>[^:]+):(?P<line>\d+): error: Unused "type: ignore(?P<codes>\[[^\]]*\])?" comment'
)
COMMENT = re.compile(r"\s*# type: ignore(?P<codes>\[[^\]]*\])?")


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in text[1:-1].split(",")] if text else []


def main() -> int:
    todo: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    for raw in sys.stdin:
        match = REPORT.match(raw.strip())
        if match:
            todo[match["path"]].append((int(match["line"]), _codes(match["codes"])))
    for path, items in todo.items():
        lines = Path(path).read_text().split("\n")
        for number, unused in items:
            line = lines[number - 1]
            found = COMMENT.search(line)
            if found is None:
                continue
            keep = [c for c in _codes(found["codes"]) if unused and c not in unused]
            replacement = f"  # type: ignore[{', '.join(keep)}]" if keep else ""
            lines[number - 1] = (line[: found.start()] + replacement + line[found.end() :]).rstrip()
            print(f"{path}:{number}: removed {', '.join(unused) or 'type: ignore'}")
        Path(path).write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
