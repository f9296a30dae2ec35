from unittest import mock

import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here reads English text (the shared ``english`` fixture)."""


@pytest.fixture
def pushes():
    """The live events the like services push (``matching.services.likes.push_to_user``),
    as a mock."""
    with mock.patch("matching.services.likes.push_to_user") as push:
        yield push
