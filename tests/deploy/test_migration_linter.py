"""The migration linter (scripts/lint_migrations.py, issue 21) refuses backward-incompatible
migrations unless they are listed as exceptions with a reason; existing ones pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "lint_migrations.py"
PROBE = "9999_linter_probe"


def _run(extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_DEBUG": "true", **(extra_env or {})}
    env.pop("DATABASE_URL", None)  # SQL of the embedded default is enough to lint
    env.pop("DATABASE_REPLICA_URLS", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def incompatible_migration():
    """A migration that drops a column and adds a NOT NULL one without default, removed after."""
    from django.db.migrations.loader import MigrationLoader

    leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("notifications")[0]
    path = ROOT / "notifications" / "migrations" / f"{PROBE}.py"
    path.write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [{leaf!r}]\n"
        "    operations = [\n"
        "        migrations.RemoveField(model_name='notification', name='detail'),\n"
        "        migrations.AddField(model_name='notification', name='probe',\n"
        "            field=models.IntegerField(default=1), preserve_default=False),\n"
        "    ]\n"
    )
    try:
        yield f"notifications.{PROBE}"
    finally:
        path.unlink(missing_ok=True)


def test_existing_migrations_pass():
    result = _run()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_a_dropped_column_or_not_null_without_default_is_refused(incompatible_migration):
    result = _run()
    assert result.returncode == 1
    assert PROBE in result.stdout
    assert "Erroneous migrations: 1/" in result.stdout


def test_an_exception_needs_a_reason_and_then_lets_it_pass(incompatible_migration, tmp_path):
    # The project's own exceptions stay listed; the probe is added without, then with, a reason.
    project = (ROOT / "scripts" / "migration_exceptions.txt").read_text()
    exceptions = tmp_path / "exceptions.txt"
    exceptions.write_text(f"{project}{incompatible_migration}\n")
    refused = _run({"MIGRATION_LINTER_EXCEPTIONS": str(exceptions)})
    assert refused.returncode != 0
    assert "give the reason" in refused.stderr

    exceptions.write_text(
        f"{project}{incompatible_migration}  # column unused since the last release\n"
    )
    allowed = _run({"MIGRATION_LINTER_EXCEPTIONS": str(exceptions)})
    assert allowed.returncode == 0, allowed.stdout[-3000:]
