"""A baseline commit checked out into a temporary folder, so ``make bench`` can run the same
scenario on the old code in the same run (issue 20: targets as ratios to a named baseline).

The tree comes from ``git archive`` (no work tree, no effect on this checkout or its
branches) and runs with this virtualenv's Python; both trees share the bench database, so only
code that reads the same schema can be compared this way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
#: The commit issue 20's ratios are measured against (main before the round-2 work).
DEFAULT_BASELINE = os.environ.get("BENCH_BASELINE", "2c084be")


def checkout(commit: str = DEFAULT_BASELINE) -> Path:
    """The tree of ``commit`` in a temporary folder (reused within one machine boot); raises
    ``RuntimeError`` when git cannot produce it."""
    sha = subprocess.run(  # noqa: S603
        ["git", "-C", str(BASE_DIR), "rev-parse", "--short=12", commit],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if sha.returncode:
        raise RuntimeError(f"unknown baseline commit {commit}: {sha.stderr.strip()}")
    target = Path(tempfile.gettempdir()) / f"miel-baseline-{sha.stdout.strip()}"
    if (target / "manage.py").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(  # noqa: S603
            ["git", "-C", str(BASE_DIR), "archive", "--format=tar", commit],  # noqa: S607
            stdout=archive,
            check=True,
        )
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(target, filter="data")
    return target


def run_python(
    args: list[str], *, env: dict[str, str], commit: str = DEFAULT_BASELINE, timeout: float = 900
) -> subprocess.CompletedProcess:
    """``python ARGS`` in the baseline tree (this interpreter, ``env`` on top of ours)."""
    tree = checkout(commit)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=tree,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
