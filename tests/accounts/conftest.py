import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text; the Hebrew pages get their own explicit tests."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
