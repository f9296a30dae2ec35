"""Model instances from rows of hand-written SQL, converted exactly as the ORM converts them.

The hottest requests (a chat send, a like, a pass) read two members in one constant statement
instead of an ORM query, whose compilation cost more CPU than running it (issue 20). The rows
still become ordinary model instances: the same Python values (UUIDs, aware datetimes, parsed
JSON) as the ORM would give, the other fields deferred (loaded on first use, one query each).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import CharField, Field, Model

M = TypeVar("M", bound=Model)


@cache
def converters(model: type[Model], fields: tuple[str, ...]) -> list[tuple[Any, list]]:
    """Per field of ``fields`` (concrete field names of ``model``): its column expression and
    the converters the ORM applies to it (the database backend's, then the field's)."""
    out = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)  # concrete columns only
        col = field.get_col(model._meta.db_table)
        out.append(
            (col, connection.ops.get_db_converters(col) + field.get_db_converters(connection))
        )
    return out


def instance_from_row(model: type[M], fields: tuple[str, ...], values: tuple | list) -> M:
    """A ``model`` instance from the raw column ``values`` of ``fields`` (in that order),
    converted as the ORM converts them, every other field deferred. Raises ValueError when
    the number of values is not the number of fields."""
    loaded = {}
    for (col, convert_all), value in zip(converters(model, fields), values, strict=True):
        for convert in convert_all:
            value = convert(value, col, connection)
        loaded[col.target.attname] = value
    # Model.from_db takes the values in the model's field order.
    names = [f.attname for f in model._meta.concrete_fields if f.attname in loaded]
    return model.from_db(connection.alias, names, [loaded[n] for n in names])


def db_uuid(value: Any) -> Any:
    """``value`` (a UUID) as the database takes it as a parameter (a UUID on PostgreSQL, 32
    hex digits on SQLite): what the ORM would send for a UUID primary key."""
    return _uuid_field().get_db_prep_value(value, connection)


@cache
def _uuid_field() -> Field:
    from django.db.models import UUIDField

    return UUIDField()


def _insert_parts(obj: Model) -> tuple[str, list]:
    """``INSERT INTO table (columns)`` of ``obj``'s model (every concrete field, in field
    order) and ``obj``'s values for them as ``Model.save`` would write them (defaults
    applied)."""
    meta = obj._meta
    fields = list(meta.concrete_fields)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    return f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns})", values


def insert_select_sql(obj: Model, *, source: str) -> tuple[str, list]:
    """The statement (and its parameters) that INSERTs the unsaved ``obj`` (every concrete
    field, as ``Model.save`` would write it) once per row of ``source``, a common table
    expression of the caller's statement (a name written by the caller, never from input):
    ``INSERT INTO ... SELECT <obj's values> FROM source`` (on PostgreSQL each value cast to
    its column's type). For one statement that stores a row only when an earlier part of it
    did (issue 20: a like and its notification). ``obj`` is not marked saved: the caller
    knows whether ``source`` had a row."""
    head, values = _insert_parts(obj)
    marks = _marks(type(obj), cast=connection.vendor == "postgresql")
    return f"{head} SELECT {marks} FROM {source}", values  # noqa: S608


@cache
def _marks(model: type[Model], *, cast: bool) -> str:
    """One placeholder per concrete field of ``model``, in field order; with ``cast``
    (PostgreSQL, whose SELECT list does not take its types from the INSERT's columns) each
    one ``CAST(%s AS <column type>)``. Without (SQLite, whose CAST to a date type would make a
    number of it, and VALUES lists everywhere): plain ``%s``."""
    fields = model._meta.concrete_fields
    if not cast:
        return ", ".join(["%s"] * len(fields))
    # Text as text: a CAST to varchar(n) would cut a longer value where the INSERT into the
    # varchar(n) column raises DataError, as save() does.
    return ", ".join(
        f"CAST(%s AS {'text' if isinstance(f, CharField) else f.db_type(connection)})"
        for f in fields
    )


def _insert(obj: Model, suffix: str) -> bool:
    """INSERT the unsaved ``obj`` (every concrete field, as ``Model.save`` would write it),
    the statement ending in ``suffix`` (written by the caller, never from input); True when a
    row was stored. ``obj`` is then a saved instance."""
    head, values = _insert_parts(obj)
    sql = f"{head} VALUES ({_marks(type(obj), cast=False)}){suffix}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        stored = cursor.fetchone() is not None if suffix else cursor.rowcount == 1
    if stored:
        obj._state.adding = False
        obj._state.db = connection.alias
    return stored


def insert(obj: Model) -> None:
    """INSERT the unsaved ``obj`` as ``Model.save`` would (every concrete field, defaults
    applied), in one constant statement without the ORM's compilation (issue 20: a like's
    notification). Constraint failures raise IntegrityError as ``save`` does. No signals are
    sent: use it only for models without ``pre_save`` / ``post_save`` receivers."""
    _insert(obj, "")


def insert_unless_conflict(obj: Model, *, conflict: str) -> bool:
    """INSERT the unsaved ``obj`` (every concrete field, as ``Model.save`` would write it) with
    ``ON CONFLICT <conflict> DO NOTHING``, on PostgreSQL; True when the row was stored, False
    when ``conflict`` (the unique index's columns and predicate, e.g. ``"(sender_id,
    client_key) WHERE client_key IS NOT NULL"``, written by the caller, never from input)
    already held one. Other constraint failures raise IntegrityError as ``save`` does.

    Replaces ``create()`` inside a savepoint for a row whose unique key may be taken (an
    idempotency key): no SAVEPOINT / RELEASE round trips and no ORM compilation (issue 20).
    No signals are sent: use it only for models without ``pre_save`` / ``post_save``
    receivers. ``obj`` is left as a saved instance."""
    return _insert(obj, f" ON CONFLICT {conflict} DO NOTHING RETURNING 1")
