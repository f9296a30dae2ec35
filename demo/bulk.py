"""Fast bulk inserts of plain row tuples for the demo seed.

``bulk_create`` builds a model instance and prepares every value through the field API, which
dominated the seed's run time (about 2/3 of it at 100 000 members). Here rows are plain tuples:
PostgreSQL receives them through ``COPY ... FROM STDIN`` (psycopg 3), other databases through
one ``executemany`` per batch with values prepared by the fields. Columns the seed does not fill
get their model default (computed once), so a field added to a model later does not break the
seed as long as it has a default or is nullable.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone


class BulkTable:
    """Rows for one model's table; ``add`` appends, ``flush`` inserts and clears.

    ``fields`` are the attribute names (``member_id``, not ``member``) of the values passed to
    ``add``, in order. Auto-increment primary keys and columns with a database default are left
    to the database.
    """

    def __init__(self, model: type[models.Model], fields: tuple[str, ...]) -> None:
        self.model = model
        self.postgres = connection.vendor == "postgresql"
        position = {name: i for i, name in enumerate(fields)}
        self.columns: list[str] = []
        self.fields: list[models.Field] = []
        # Per column: index into the added tuple, or -1 with a constant in self.constants.
        self.sources: list[int] = []
        self.constants: list[Any] = []
        now = timezone.now()
        for field in model._meta.concrete_fields:
            if field.attname not in position and (
                isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField)
                or field.db_default is not NOT_PROVIDED
            ):
                continue
            assert field.column is not None  # a concrete field has a column
            self.columns.append(field.column)
            self.fields.append(field)
            if field.attname in position:
                self.sources.append(position.pop(field.attname))
                self.constants.append(None)
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = now
            else:
                # The model default; "" for text fields without one; None when nullable.
                value = field.get_default()
            if value is None and not field.null:
                raise ImproperlyConfigured(
                    f"seed_demo does not fill {model._meta.label}.{field.name} "
                    "(required, no default): add it to demo."
                )
            self.sources.append(-1)
            self.constants.append(self._prepare(field, value))
        if position:
            raise ImproperlyConfigured(f"unknown fields for {model._meta.label}: {list(position)}")
        self.rows: list[tuple] = []

    def _prepare(self, field: models.Field, value: Any) -> Any:
        if self.postgres:
            # COPY's text format: the server parses each value as its column's type.
            return json.dumps(value) if isinstance(field, models.JSONField) else value
        return field.get_db_prep_save(value, connection)

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> int:
        """Insert the pending rows (in the caller's transaction); returns how many."""
        count = len(self.rows)
        if not count:
            return 0
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        plan = list(zip(self.sources, self.constants, self.fields, strict=True))
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row([row[i] if i >= 0 else c for i, c, _ in plan])
            else:
                prepared = [
                    [f.get_db_prep_save(row[i], connection) if i >= 0 else c for i, c, f in plan]
                    for row in self.rows
                ]
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 - names quoted
                    prepared,
                )
        self.rows.clear()
        return count
