import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text (Hebrew is the default language and has a full catalogue;
    tests/test_i18n.py checks the Hebrew pages)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
