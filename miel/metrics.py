"""Prometheus metrics (issue 21), with prometheus-client.

What is measured:

- ``miel_http_requests_total{view,method,status}`` and
  ``miel_http_request_duration_seconds{view,method}`` (histogram): every HTTP request, by URL
  name (``<unresolved>`` for a 404 outside the URLconf), timed by :class:`MetricsMiddleware`
  (the outermost middleware);
- ``miel_db_queries_total{alias}`` and ``miel_db_query_duration_seconds{alias}``: every SQL
  query of every process (an execute wrapper on each new connection);
- ``miel_celery_tasks_total{task,state}`` (``succeeded``, ``failed``, ``retried``) and
  ``miel_celery_task_failures_total{task}``: Celery's task signals, in the worker;
- ``miel_websockets_open`` (gauge) and ``miel_websockets_opened_total``: sockets accepted and
  not yet closed (:class:`WebSocketMetrics`, ASGI middleware);
- ``miel_messages_sent_total`` and ``miel_matches_total``: counted after commit by
  ``messaging.services.message_send`` and ``matching.services`` (a like that completes a pair).

Several processes (gunicorn workers, uvicorn servers, Celery workers): set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by all of them (emptied at each deploy)
before they start; ``/metrics`` then adds up every process's files. The process manager should
call :func:`mark_process_dead` when a worker exits (gunicorn's ``child_exit`` hook).

``/metrics`` answers only a client whose address (:func:`miel.client_ip.client_ip`) is in
``METRICS_ALLOWED_IPS`` (addresses or networks) or that sends ``Authorization: Bearer
<METRICS_TOKEN>``; anyone else gets 404, as if there were nothing there.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from miel.client_ip import client_ip

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

HTTP_REQUESTS = Counter(
    "miel_http_requests", "HTTP requests by view, method and status.", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "miel_http_request_duration_seconds",
    "HTTP request latency (seconds) by view and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
DB_QUERIES = Counter("miel_db_queries", "SQL queries run, by database alias.", ["alias"])
DB_QUERY_TIME = Histogram(
    "miel_db_query_duration_seconds",
    "SQL query time (seconds), by database alias.",
    ["alias"],
    buckets=QUERY_BUCKETS,
)
CELERY_TASKS = Counter(
    "miel_celery_tasks", "Celery tasks finished, by task name and state.", ["task", "state"]
)
CELERY_FAILURES = Counter("miel_celery_task_failures", "Celery tasks that failed.", ["task"])
WEBSOCKETS_OPEN = Gauge("miel_websockets_open", "WebSockets open now.", multiprocess_mode="livesum")
WEBSOCKETS_OPENED = Counter("miel_websockets_opened", "WebSockets accepted.")
MESSAGES_SENT = Counter("miel_messages_sent", "Chat messages sent.")
MATCHES = Counter("miel_matches", "Matches made (a like that completes a pair).")


# --- HTTP -----------------------------------------------------------------------------------


class MetricsMiddleware:
    """Times every request and counts it by URL name, method and status. First in
    ``MIDDLEWARE`` so that the whole stack is timed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match is not None else "<unresolved>"
            method = request.method if request.method in _METHODS else "other"
            HTTP_LATENCY.labels(view, method).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(view, method, str(status)).inc()


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# --- database -------------------------------------------------------------------------------


def _query_timer(alias: str) -> Callable[..., Any]:
    # The alias's children are looked up once, not per statement (issue 20: a like runs eight).
    queries, query_time = DB_QUERIES.labels(alias), DB_QUERY_TIME.labels(alias)

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.inc()
            query_time.observe(time.perf_counter() - started)

    return wrapper


def _on_connection_created(sender: object, connection: Any, **kwargs: object) -> None:
    if not any(getattr(w, "_miel_metrics", False) for w in connection.execute_wrappers):
        wrapper = _query_timer(connection.alias)
        wrapper._miel_metrics = True  # type: ignore[attr-defined]
        connection.execute_wrappers.append(wrapper)


# --- Celery ---------------------------------------------------------------------------------


def _task_name(sender: Any) -> str:
    return str(getattr(sender, "name", None) or "unknown")


def _on_task_success(sender: Any = None, **kwargs: object) -> None:
    CELERY_TASKS.labels(_task_name(sender), "succeeded").inc()


def _on_task_failure(sender: Any = None, **kwargs: object) -> None:
    CELERY_TASKS.labels(_task_name(sender), "failed").inc()
    CELERY_FAILURES.labels(_task_name(sender)).inc()


def _on_task_retry(sender: Any = None, **kwargs: object) -> None:
    CELERY_TASKS.labels(_task_name(sender), "retried").inc()


def connect() -> None:
    """Connect the database and Celery hooks (``MielConfig.ready``)."""
    from celery import signals as celery_signals
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection_created, dispatch_uid="miel.metrics.db")
    for alias in connections:  # connections opened before the signal was connected
        conn = connections[alias]
        if conn.connection is not None:
            _on_connection_created(None, conn)
    celery_signals.task_success.connect(_on_task_success, weak=False)
    celery_signals.task_failure.connect(_on_task_failure, weak=False)
    celery_signals.task_retry.connect(_on_task_retry, weak=False)


# --- WebSockets -----------------------------------------------------------------------------


class WebSocketMetrics:
    """ASGI middleware: counts WebSockets from their accept to their close (either side)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await self.inner(scope, receive, send)
        is_open = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal is_open
            if message.get("type") == "websocket.accept" and not is_open:
                is_open = True
                WEBSOCKETS_OPEN.inc()
                WEBSOCKETS_OPENED.inc()
            elif message.get("type") == "websocket.close" and is_open:
                is_open = False
                WEBSOCKETS_OPEN.dec()
            await send(message)

        try:
            return await self.inner(scope, receive, counting_send)
        finally:
            if is_open:
                WEBSOCKETS_OPEN.dec()


# --- the endpoint ---------------------------------------------------------------------------


def mark_process_dead(pid: int) -> None:
    """For a process manager's exit hook: drop a dead worker's live gauges (multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)


def allowed(request: HttpRequest) -> bool:
    """True for a bearer token equal to ``METRICS_TOKEN`` or a client address inside
    ``METRICS_ALLOWED_IPS`` (single addresses or CIDR networks)."""
    token = str(getattr(settings, "METRICS_TOKEN", "") or "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", []):
        try:
            if address in ipaddress.ip_network(str(entry).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def render_metrics() -> bytes:
    """This process's metrics, or every process's with ``PROMETHEUS_MULTIPROC_DIR``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` in Prometheus' text format, for allowed clients only (404 otherwise)."""
    if not allowed(request):
        raise Http404
    response = HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
