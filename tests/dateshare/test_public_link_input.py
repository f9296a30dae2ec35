"""The public share page takes a token from the URL, unauthenticated: anything that is not a
token (a NUL, other characters, an absurd length) is 404 before the database is asked (a NUL
reached PostgreSQL and answered 500)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("token", ["%00abc", "abc%00", "a%20b", "x" * 300, "%E2%80%AEabc"])
def test_a_malformed_token_is_404_without_a_query(client, django_assert_num_queries, token):
    for path in (f"/date/{token}/", f"/date/{token}/photo/"):
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 404
