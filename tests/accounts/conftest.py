import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here reads English text (the shared ``english`` fixture)."""
