"""``miel.rawsql``: rows written by hand-written statements are the rows the ORM would write."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction

from miel.rawsql import insert_select_sql
from notifications.models import Notification
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_insert_select_stores_the_row_once_per_source_row_as_save_would():
    """Issue 20 (a like and its notification in one statement): the INSERT ... SELECT of
    :func:`miel.rawsql.insert_select_sql` stores every field as ``save`` would, once per row of
    its source, and nothing when the source has no row."""
    a, b = MemberFactory(), MemberFactory()
    kept = Notification(user_id=a.user_id, kind="like", actor_id=b.user_id, url="/x/")
    skipped = Notification(user_id=a.user_id, kind="like", actor_id=b.user_id)
    with connection.cursor() as cursor:
        for note, source in (
            (kept, "(SELECT 1) AS one"),
            (skipped, "(SELECT 1 WHERE 1 = 0) AS no"),
        ):
            sql, params = insert_select_sql(note, source=source)
            cursor.execute(sql, params)
    stored = Notification.objects.get()
    assert stored.pk == kept.pk
    assert (stored.user_id, stored.kind, stored.actor_id, stored.url) == (
        a.user_id,
        "like",
        b.user_id,
        "/x/",
    )
    assert stored.created_at == kept.created_at
    assert (stored.detail, stored.read_at) == ("", None)


def test_insert_select_refuses_a_value_too_long_for_its_column_as_save_does(postgresql_only):
    """A CAST to the column's varchar(n) would cut the value silently (found by an attack run
    on issue 20's like): too long raises as ``save`` does on PostgreSQL (SQLite checks no
    length), and nothing is stored."""
    a = MemberFactory()
    note = Notification(user_id=a.user_id, kind="like", url="/members/" + "x" * 300)
    sql, params = insert_select_sql(note, source="(SELECT 1) AS one")
    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert not Notification.objects.exists()
