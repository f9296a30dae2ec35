"""``make bench`` (rules §16): the HTTP/WebSocket benchmark and its baselines.

Nothing here is imported by the product; ``bench.urls`` is mounted only when the server runs
with ``MIEL_BENCH=1`` (see ``miel/urls.py``).
"""
