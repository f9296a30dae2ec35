"""WebSocket scenarios of ``make bench`` (rules §16), against a running server.

- **delivery**: ``sockets`` authenticated sockets open at ``/ws/`` (one per user), then chat
  messages are sent at ``rate`` messages per second, round-robin over the socket users; each
  message's latency is from just before its send to its ``message.new`` frame arriving on the
  recipient's socket. Messages that never arrive (within 5 s after the last send) are counted
  as lost. Two ways to send:

  - over HTTP from one sender (session cookie + CSRF, as the chat form does without a socket);
  - with ``senders`` (issue 20), as the chat page does: ``chat.send`` frames over each
    sender's own open socket, every sender writing to its own matches; a send counts as done
    (the "200") when the sender's socket answers ``chat.sent``.
- **reconnect**: every socket is closed, then all are opened again at once; reports how long
  until all are open and how many handshakes failed.

Used by ``bench/run.py``; ``bench/ws_latency.py`` is the simpler one-socket version.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass
class Peer:
    user_id: str
    cookie: str


@dataclass
class Sender:
    """A member sending over their own socket to ``to`` (user ids of their matches)."""

    peer: Peer
    to: list[str]


class _SocketSenders:
    """The senders' open sockets: ``send(recipient id, text)`` sends a ``chat.send`` frame from
    the recipient's sender; the sockets' readers count the answers."""

    def __init__(self, sockets: list, senders: list[Sender]) -> None:
        self.by_recipient = {}
        for ws, sender in zip(sockets, senders, strict=True):
            for to in sender.to:
                self.by_recipient[to] = ws
        self.answers: dict[str, str] = {}  # client key -> "chat.sent" / failure code

    async def send(self, to: str, text: str, key: str) -> float:
        started = time.perf_counter()
        await self.by_recipient[to].send(
            json.dumps({"type": "chat.send", "to": to, "text": text, "client_key": key})
        )
        return started

    async def reader(self, ws) -> None:  # type: ignore[no-untyped-def]
        try:
            async for raw in ws:
                event = json.loads(raw)
                kind = event.get("type")
                if kind == "chat.sent":
                    self.answers[event["client_key"]] = "200"
                elif kind == "chat.failed":
                    self.answers[event.get("client_key") or ""] = event.get("code", "failed")
        except Exception:
            return


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _Poster:
    """Thread-local keep-alive HTTP connections for the sender."""

    def __init__(self, host: str, port: int, cookie: str, csrf: str) -> None:
        self.host, self.port = host, port
        self.headers = {
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.local = threading.local()

    def post(self, path: str, text: str) -> tuple[int, float]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=urlencode({"text": text}), headers=self.headers)
            response = conn.getresponse()
            response.read()
            return response.status, started
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            conn.close()
            return 0, started


async def _open(url: str, peer: Peer, origin: str, limit: asyncio.Semaphore | None = None):  # type: ignore[no-untyped-def]
    from websockets.asyncio.client import connect

    if limit is not None:
        async with limit:
            return await _open(url, peer, origin)
    return await connect(
        url,
        additional_headers={"Cookie": peer.cookie},
        origin=origin,
        open_timeout=30,
        max_queue=None,
        ping_interval=None,
    )


async def _open_all(
    url: str | list[str], peers: list[Peer], origin: str, batch: int | None = None
) -> tuple[list, int, float]:
    """Open a socket per peer; with several ``url`` (one per socket server) peer i goes to
    ``url[i % n]``, as a load balancer spreads them."""
    urls = [url] if isinstance(url, str) else url
    limit = asyncio.Semaphore(batch) if batch else None
    started = time.perf_counter()
    results = await asyncio.gather(
        *(_open(urls[i % len(urls)], p, origin, limit) for i, p in enumerate(peers)),
        return_exceptions=True,
    )
    seconds = time.perf_counter() - started
    sockets = [r if not isinstance(r, BaseException) else None for r in results]
    failed = sum(1 for s in sockets if s is None)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    if errors:
        print(f"  {len(errors)} handshakes failed, e.g. {errors[0][:300]}", flush=True)
    return sockets, failed, seconds


async def run(
    *,
    host: str,
    port: int,
    ws_port: int | None = None,
    peers: list[Peer],
    sender_cookie: str,
    sender_csrf: str,
    rate: float = 100.0,
    seconds: float = 10.0,
    open_batch: int = 100,
    step_rates: list[float] | None = None,
    step_seconds: float = 5.0,
    step_p95_ms: float = 100.0,
    publish: Callable[[str, str], bool] | None = None,
    senders: list[Sender] | None = None,
    ws_ports: list[int] | None = None,
) -> dict:
    """The scenarios above; with ``ws_ports`` (one single-process socket server each) the
    sockets are spread over the servers round-robin, as nginx spreads them."""
    ws_port = ws_port or port
    ports = ws_ports or [ws_port]
    url: str | list[str] = [f"ws://{host}:{p}/ws/" for p in ports]
    origin = f"http://{host}:{ports[0]}"
    out: dict = {
        "sockets": len(peers),
        "rate_per_s": rate,
        "seconds": seconds,
        "socket_server": "separate" if ws_port != port else "same",
        "socket_servers": len(ports),
    }

    # The first opening goes 100 at a time (only the reconnect below is a storm).
    sockets, failed, open_s = await _open_all(url, peers, origin, batch=open_batch)
    out["open"] = {"failed": failed, "seconds": round(open_s, 3)}
    arrivals: dict[str, float] = {}

    async def reader(ws) -> None:  # type: ignore[no-untyped-def]
        try:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("type") == "message.new":
                    text = event.get("message", {}).get("text", "")
                    if text.startswith("wsbench"):
                        arrivals.setdefault(text, time.perf_counter())
        except Exception:
            return

    readers = [asyncio.create_task(reader(ws)) for ws in sockets if ws is not None]
    via: _SocketSenders | None = None
    sender_sockets: list = []
    if senders:
        sender_sockets, sender_failed, _s = await _open_all(
            url, [s.peer for s in senders], origin, batch=open_batch
        )
        out["senders"] = {"count": len(senders), "failed": sender_failed}
        if sender_failed:
            raise SystemExit(f"{sender_failed} sender sockets could not be opened")
        via = _SocketSenders(sender_sockets, senders)
        readers += [asyncio.create_task(via.reader(ws)) for ws in sender_sockets]
    await asyncio.sleep(1.0)  # let presence broadcasts of the opening settle

    poster = _Poster(host, port, sender_cookie, sender_csrf)
    live = [p for p, ws in zip(peers, sockets, strict=True) if ws is not None]
    if not live:
        raise SystemExit("no WebSocket could be opened")
    out["send_path"] = "socket (chat.send)" if via else "HTTP POST"
    if step_rates:
        # Step search (issue 20): the highest rate whose p95 stays within step_p95_ms, on the
        # same open sockets, each step a fresh set of messages; stops at the first miss. It runs
        # first, on servers with no backlog: an overloaded run leaves queued messages behind
        # that would count against the steps after it.
        steps = []
        best = None
        for i, step in enumerate(step_rates):
            await asyncio.sleep(1.0)
            result = await _deliver(
                poster, live, arrivals, rate=step, seconds=step_seconds, tag=f"s{i}", via=via
            )
            steps.append(result)
            print(
                f"  step {step:g} msg/s: p95 {result['p95_ms']} ms, lost {result['lost']}",
                flush=True,
            )
            p95 = result["p95_ms"]
            if p95 is None or p95 > step_p95_ms or result["lost"]:
                break
            best = result["achieved_rate_per_s"]
        out["steps"] = {"p95_limit_ms": step_p95_ms, "best_rate_per_s": best, "runs": steps}
        out["drained_s"] = await _drain(arrivals)
    out["delivery"] = await _deliver(
        poster, live, arrivals, rate=rate, seconds=seconds, tag="", via=via
    )
    if publish is not None:
        out["drained_before_socket_path_s"] = await _drain(arrivals)
        out["delivery_socket_path"] = await _deliver(
            poster, live, arrivals, rate=rate, seconds=seconds, tag="p", publish=publish
        )
    await _drain(arrivals)

    for task in readers:
        task.cancel()
    await asyncio.gather(
        *(ws.close() for ws in [*sockets, *sender_sockets] if ws is not None),
        return_exceptions=True,
    )
    await asyncio.sleep(1.0)

    print(f"  reconnect: reopening {len(peers)} sockets at once", flush=True)
    sockets, failed, reopen_s = await _open_all(url, peers, origin)
    print(f"  reconnect: done in {reopen_s:.1f} s, {failed} failed", flush=True)
    out["reconnect"] = {"sockets": len(peers), "failed": failed, "seconds": round(reopen_s, 3)}
    await asyncio.gather(*(ws.close() for ws in sockets if ws is not None), return_exceptions=True)
    return out


async def _drain(
    arrivals: dict[str, float], *, quiet_s: float = 3.0, limit_s: float = 90.0
) -> float:
    """Wait until no message has arrived for ``quiet_s`` (a backlog left by an overloaded run
    is delivered), at most ``limit_s``; returns the seconds waited."""
    started = time.perf_counter()
    seen, still_since = len(arrivals), time.perf_counter()
    while time.perf_counter() - started < limit_s:
        await asyncio.sleep(0.25)
        if len(arrivals) != seen:
            seen, still_since = len(arrivals), time.perf_counter()
        elif time.perf_counter() - still_since >= quiet_s:
            break
    return round(time.perf_counter() - started, 1)


async def _deliver(
    poster: _Poster,
    live: list[Peer],
    arrivals: dict[str, float],
    *,
    rate: float,
    seconds: float,
    tag: str,
    publish: Callable[[str, str], bool] | None = None,
    via: _SocketSenders | None = None,
) -> dict:
    """Post ``rate`` x ``seconds`` chat messages round-robin over ``live`` at ``rate``/s and
    measure POST start -> ``message.new`` frame on the recipient's socket (``arrivals`` is
    filled by the socket readers). With ``publish`` the messages are not posted but
    published to the recipients' groups directly (``publish(user id, text)``), as the chat send
    does after its commit: the socket path alone, without the HTTP request. With ``via`` the
    messages are ``chat.send`` frames over the senders' sockets (the chat page's way), each
    counted "200" when its ``chat.sent`` answer arrives."""
    if via is not None and publish is None:
        return await _deliver_over_sockets(via, live, arrivals, rate=rate, seconds=seconds, tag=tag)
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    statuses: dict[int, int] = {}
    http_ms: list[float] = []
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        t0 = time.perf_counter()
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            peer = live[i % len(live)]
            text = f"wsbench{tag} {i} {time.time_ns()}"

            def send(peer: Peer = peer, text: str = text) -> None:
                if publish is not None:  # the socket path alone: what the send's commit does
                    started = time.perf_counter()
                    status = 200 if publish(peer.user_id, text) else 0
                else:
                    status, started = poster.post(f"/members/{peer.user_id}/chat/send/", text)
                sent[text] = started
                statuses[status] = statuses.get(status, 0) + 1
                http_ms.append((time.perf_counter() - started) * 1000)

            futures.append(loop.run_in_executor(pool, send))
        send_s = time.perf_counter() - t0
        await asyncio.gather(*futures)
    deadline = time.perf_counter() + 5
    while any(t not in arrivals for t in sent) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    latencies = [(arrivals[t] - s) * 1000 for t, s in sent.items() if t in arrivals]
    ok = statuses.get(200, 0)
    result = {
        "rate_per_s": rate,
        "messages": total,
        "achieved_rate_per_s": round(total / send_s, 1) if send_s else None,
        "http_status": {str(k): v for k, v in sorted(statuses.items())},
        "lost": ok - len(latencies),
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "p99_ms": pct(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "http_p50_ms": pct(http_ms, 50),
        "http_p95_ms": pct(http_ms, 95),
    }
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}


async def _deliver_over_sockets(
    via: _SocketSenders,
    live: list[Peer],
    arrivals: dict[str, float],
    *,
    rate: float,
    seconds: float,
    tag: str,
) -> dict:
    """``rate`` x ``seconds`` ``chat.send`` frames round-robin over ``live`` (each from the
    recipient's sender's socket); latency from the frame's send to the recipient's
    ``message.new``; "lost" is a ``chat.sent`` answer whose message never arrived."""
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    keys: dict[str, str] = {}
    t0 = time.perf_counter()
    for i in range(total):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        peer = live[i % len(live)]
        text = f"wsbench{tag} {i} {time.time_ns()}"
        key = f"b{tag}-{i}-{time.time_ns()}"
        keys[text] = key
        sent[text] = await via.send(peer.user_id, text, key)
    send_s = time.perf_counter() - t0
    deadline = time.perf_counter() + 5
    while (
        any(t not in arrivals for t in sent) or any(k not in via.answers for k in keys.values())
    ) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    statuses: dict[str, int] = {}
    for key in keys.values():
        status = via.answers.get(key, "no answer")
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [(arrivals[t] - s) * 1000 for t, s in sent.items() if t in arrivals]
    ok = statuses.get("200", 0)
    result = {
        "rate_per_s": rate,
        "messages": total,
        "achieved_rate_per_s": round(total / send_s, 1) if send_s else None,
        "http_status": dict(sorted(statuses.items())),
        "lost": ok - len([t for t in sent if t in arrivals and via.answers.get(keys[t]) == "200"]),
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "p99_ms": pct(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
    }
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
