"""Demo data for ``manage.py seed_demo`` (rules §14): ``demo.seed.demo_seed`` and its parts.

A Django app (for the command), so this package imports nothing at load time."""
