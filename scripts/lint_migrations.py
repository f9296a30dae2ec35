"""Refuse backward-incompatible migrations (issue 21; zero-downtime deploys).

During a rolling deploy old and new code run against the same database, so a migration must
not break the code that is still running: no dropped or renamed columns or tables, no NOT NULL
column without a default, no altered column types, etc. django-migration-linter reads each
migration's SQL (``sqlmigrate``) and reports these.

- ``scripts/migration_baseline.txt``: the migrations that existed when the linter came
  (grandfathered; ``--update-baseline`` rewrites it, for the lead only after a merge).
- ``scripts/migration_exceptions.txt``: ``app_label.migration_name  # why it is safe`` for a
  new migration that is incompatible on purpose (e.g. the second step of a two-step
  removal, after a release that stopped using the column). A line without a reason is refused.

Usage: ``DJANGO_DEBUG=true python scripts/lint_migrations.py [--update-baseline]`` (``make
lint`` runs it). Exit 1 when a migration outside both lists is incompatible.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scripts" / "migration_baseline.txt"
EXCEPTIONS = Path(
    os.environ.get("MIGRATION_LINTER_EXCEPTIONS") or ROOT / "scripts" / "migration_exceptions.txt"
)


def _read(path: Path, *, need_reason: bool) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    if not path.exists():
        return names
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        if need_reason and not reason.strip():
            sys.exit(f"{path.name}:{number}: give the reason after '#': {line}")
        app, _, migration = name.strip().partition(".")
        names.add((app, migration))
    return names


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader
    from django_migration_linter import MigrationLinter

    base = Path(settings.BASE_DIR).resolve()
    # A virtualenv inside the checkout (CI's .venv) holds the libraries' migrations: not ours.
    venv = Path(sys.prefix).resolve()

    def ours(module: str) -> bool:
        path = Path(sys.modules[module].__file__ or "").resolve()
        return path.is_relative_to(base) and not path.is_relative_to(venv)

    loader = MigrationLoader(None, ignore_no_migrations=True)
    project = sorted(
        key for key, migration in loader.disk_migrations.items() if ours(migration.__module__)
    )
    if "--update-baseline" in argv:
        BASELINE.write_text(
            "# Migrations grandfathered by scripts/lint_migrations.py (issue 21).\n"
            + "".join(f"{app}.{name}\n" for app, name in project)
        )
        print(f"{BASELINE.name}: {len(project)} migrations")
        return 0

    skip = _read(BASELINE, need_reason=False) | _read(EXCEPTIONS, need_reason=True)
    project_apps = {app for app, _ in project}

    class ProjectLinter(MigrationLinter):
        def should_ignore_migration(
            self, app_label, migration_name, operations=(), is_initial=False
        ):  # type: ignore[no-untyped-def]
            if app_label not in project_apps or (app_label, migration_name) in skip:
                return True
            return super().should_ignore_migration(
                app_label, migration_name, operations, is_initial
            )

    linter = ProjectLinter(str(ROOT), no_cache=True, quiet=["ok", "ignore"])
    linter.lint_all_migrations()
    linter.print_summary()
    return 1 if linter.has_errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
