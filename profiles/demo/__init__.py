"""Demo data for ``manage.py seed_demo`` (SPEC §14)."""

from .seed import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_EMAIL, SeedResult, demo_seed

__all__ = ["ADMIN_EMAIL", "DEMO_DOMAIN", "DEMO_EMAIL", "SeedResult", "demo_seed"]
