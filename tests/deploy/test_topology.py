"""The production topology, started and attacked (issue 21, README "Production").

``deploy/prod.py`` (what ``make prod`` runs) starts nginx in front of two gunicorn (HTTP) and two
uvicorn (WebSocket) servers, a Celery worker and beat, PgBouncer in transaction mode in front of
this test's PostgreSQL database, and Redis. Two members then go through nginx in Chromium: sign
in, like each other to a match (seen live), chat both ways live with their sockets on different
WebSocket servers (and a second tab of one member on the other one: one event reaches both); one
HTTP and one WebSocket server are SIGKILLed mid-chat (the whole process
tree, as a lost machine) and held down. The browsers reconnect and keep chatting, no message is
lost or shown twice, nginx sends nothing to the dead servers and answers no request with an
error, and the restarted servers get requests again.

Skipped locally without nginx, PgBouncer, PostgreSQL, Redis or Chromium; in CI
(``MIEL_REQUIRE_SERVICES=1``) a missing one fails the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from messaging.models import Message
from profiles.models import Member
from tests import celery_worker
from tests.browser.conftest import SHOTS
from tests.conftest import is_postgresql, require_service
from tests.factories import MemberFactory, PhotoFactory
from tests.messaging.test_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = [
    pytest.mark.topology,
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
NGINX = "/usr/sbin/nginx"
PGBOUNCER = "/usr/sbin/pgbouncer"
PASSWORD = "Honey-comb-2025!"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_block(size: int) -> int:
    """The first of ``size`` consecutive free ports."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - size)
        if all(_port_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def _get(url: str, timeout: float = 3.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310
            return r.status
    except OSError:
        return 0


def _metric_total(text: str, name: str) -> float:
    """The sum of a Prometheus counter's samples (``name_total``) in an exposition text."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(f"{name}_total")
    )


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    out = subprocess.run(  # noqa: S603
        ["/usr/bin/pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _established(port: int) -> int:
    """Connections to a local server port that are open right now."""
    out = subprocess.run(  # noqa: S603
        ["/usr/bin/ss", "-Htn", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    )
    return len([line for line in out.stdout.splitlines() if line.strip()])


@dataclass
class Prod:
    process: subprocess.Popen[bytes]
    run_dir: Path
    url: str
    web_ports: list[int]
    ws_ports: list[int]
    log_path: Path

    def pid(self, name: str) -> int | None:
        path = self.run_dir / "pids" / name
        try:
            return int(path.read_text())
        except (OSError, ValueError):
            return None

    def kill(self, name: str) -> list[int]:
        """SIGKILL server ``name`` and its children (gunicorn's workers), and keep it down
        (deploy/bin/respawn's hold file) until :meth:`release`."""
        (self.run_dir / "hold" / name).touch()
        pid = self.pid(name)
        assert pid is not None, name
        tree = [pid, *_children(pid)]
        for p in tree:
            os.kill(p, signal.SIGKILL)
        wait_until(lambda: not any(_alive(p) for p in tree), 10, f"{name} to die")
        return tree

    def release(self, name: str) -> None:
        (self.run_dir / "hold" / name).unlink()

    def access_log(self) -> list[dict]:
        path = self.run_dir / "logs" / "nginx-access.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


@pytest.fixture
def prod(transactional_db, redis_url, tmp_path, settings) -> Iterator[Prod]:
    """``deploy/prod.py`` (``make prod``) with 2 + 2 servers on this test's database (through
    PgBouncer) and Redis; stopped, with everything it started, at the end."""
    require_service(os.path.exists(NGINX), f"needs nginx at {NGINX}")
    require_service(os.path.exists(PGBOUNCER), f"needs PgBouncer at {PGBOUNCER}")
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")
    base = _free_block(6)
    run_dir = tmp_path / "run"
    log_path = tmp_path / "prod.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": celery_worker.test_database_url(),
        "REDIS_URL": redis_url,
        "PROD_PORT": str(base),
        "PGBOUNCER_PORT": str(base + 1),
        "WEB_PORT_BASE": str(base + 2),
        "WS_PORT_BASE": str(base + 4),
        "WEB_SERVERS": "2",
        "WS_SERVERS": "2",
        "WEB_WORKERS": "1",  # two cores: one worker process (4 threads) per HTTP server
        "WORKER_CONCURRENCY": "1",
        "DB_POOL_MAX": "4",
        "PROD_RUN_DIR": str(run_dir),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_QUEUE": f"topology-{uuid.uuid4().hex[:8]}",
        "EMAIL_URL": "dummymail://",
        "RESPAWN_DELAY": "0.5",
    }
    with log_path.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(BASE_DIR / "deploy" / "prod.py")],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    topo = Prod(
        process,
        run_dir,
        f"http://127.0.0.1:{base}",
        [base + 2, base + 3],
        [base + 4, base + 5],
        log_path,
    )
    try:
        servers = [f"http://127.0.0.1:{p}" for p in topo.web_ports + topo.ws_ports]

        def serving() -> bool:
            if process.poll() is not None:
                raise AssertionError("make prod stopped")
            return all(_get(s + "/healthz") == 200 for s in [topo.url, *servers])

        try:
            wait_until(serving, 120, "make prod to serve")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{topo.output()}") from None
        yield topo
    finally:
        _stop(topo)
        connection.close()
        celery_worker.wait_for_other_db_sessions_to_end()


def _stop(topo: Prod) -> None:
    """SIGTERM to honcho stops every process; whatever is left after 20 s is killed."""
    if topo.process.poll() is None:
        os.killpg(topo.process.pid, signal.SIGTERM)
        try:
            topo.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(topo.process.pid, signal.SIGKILL)
            topo.process.wait(timeout=5)
    leftovers = []
    for pidfile in [
        *(topo.run_dir / "pids").glob("*"),
        topo.run_dir / "nginx" / "nginx.pid",
    ]:
        try:
            leftovers.append(int(pidfile.read_text()))
        except (OSError, ValueError):
            continue
    for pid in leftovers:
        for p in [pid, *_children(pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


def _declared_body_status(prod: Prod, path: str, length: int) -> int:
    """The status nginx answers to a POST that announces a ``length``-byte body."""
    conn = http.client.HTTPConnection("127.0.0.1", int(prod.url.rsplit(":", 1)[1]), timeout=5)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Length", str(length))
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def _member(name: str, **kwargs: object) -> Member:
    """A complete member whose password the production servers can check (the test process
    hashes with MD5 for speed, which production does not accept)."""
    member = MemberFactory(name=name, **kwargs)
    member.user.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt")
    member.user.save(update_fields=["password"])
    return member


def _sign_in(browser, base: str, member: Member):  # noqa: F811
    """A phone-sized English tab signed in through the login form (its context is the member's
    browser: more tabs share the session)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    assert "/accounts/login/" not in page.url, page.inner_text("main")
    # Count the socket's reconnects (static/js/realtime.js fires miel:reconnected).
    context.add_init_script(
        "window.__reconnects = 0; document.addEventListener('miel:reconnected',"
        " function () { window.__reconnects += 1; });"
    )
    return page


def _thread(page) -> list[str]:
    """The texts of the chat page's messages, in order, as shown right now."""
    return page.eval_on_selector_all(
        "#chat-messages li.msg", "els => els.map(e => e.querySelector('.msg-text').innerText)"
    )


def _say(sender, receiver, text: str) -> None:
    """``sender`` sends ``text``; it shows once on both screens, live on the receiver's."""
    sender.fill("#chat-text", text)
    sender.keyboard.press("Enter")
    for page in (sender, receiver):
        page.wait_for_function(
            "t => [...document.querySelectorAll('#chat-messages .msg-text')]"
            ".some(e => e.innerText === t)",
            arg=text,
            timeout=15_000,
        )


def _open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.mielRealtime !== undefined")
    page.wait_for_timeout(700)  # the socket is open (and any earlier one closed)


def _spread_sockets(prod: Prod, dana, yoni, dana_chat: str, yoni_chat: str) -> int:
    """Open both chats with the two sockets on different WebSocket servers (nginx's round
    robin decides where a socket goes: Yoni's tab reloads until it is not on Dana's server);
    returns the port of the server holding Dana's socket."""
    yoni.goto("about:blank")
    _open_chat(dana, dana_chat)
    counts = [_established(p) for p in prod.ws_ports]
    assert sorted(counts) == [0, 1], counts
    dana_port = prod.ws_ports[counts.index(1)]
    for _ in range(6):
        _open_chat(yoni, yoni_chat)
        if all(_established(p) == 1 for p in prod.ws_ports):
            return dana_port
    raise AssertionError("the two sockets never sat on different WebSocket servers")


def test_two_members_keep_chatting_through_nginx_while_servers_die_and_come_back(
    prod,
    browser,  # noqa: F811
):
    dana = _member("Dana")
    yoni = _member("Yoni", gender=Member.Gender.MALE)
    yoni_photo = PhotoFactory(member=yoni, is_approved=True)
    base = prod.url

    # nginx refuses a body over its limit before any server sees it.
    assert _declared_body_status(prod, "/accounts/login/", 13 * 1024 * 1024) == 413

    # Sign in (both through nginx), like each other: Dana sees the match live.
    d = _sign_in(browser, base, dana)
    y = _sign_in(browser, base, yoni)
    d.goto(f"{base}/members/{yoni.user_id}/")
    photo = d.locator("img[src^='/media/']").first.get_attribute("src")
    response = d.request.get(base + photo)
    assert response.status == 200, photo
    assert response.headers["content-type"].startswith("image/")
    # Django answered with an empty body and X-Accel-Redirect; nginx sent the file.
    assert "x-accel-redirect" not in response.headers
    assert len(response.body()) == yoni_photo.file.size > 0
    d.click(".like-button")
    d.wait_for_selector(".like-button.liked")
    d.wait_for_function("() => window.mielRealtime !== undefined")
    d.wait_for_timeout(700)  # her socket is open
    y.goto(f"{base}/members/{dana.user_id}/")
    y.click(".like-button")
    d.wait_for_selector("#match-dialog[open]", timeout=15_000)

    # The chat, both ways, with the two sockets on different WebSocket servers.
    dana_ws = _spread_sockets(
        prod, d, y, f"{base}/members/{yoni.user_id}/chat/", f"{base}/members/{dana.user_id}/chat/"
    )
    # Dana's second tab (her Chats list) gets its socket on the other server, Yoni's.
    other_ws = next(p for p in prod.ws_ports if p != dana_ws)
    d2 = d.context.new_page()
    d2.set_default_timeout(15_000)
    for _ in range(6):
        _open_chat(d2, f"{base}/messages/")
        if _established(other_ws) == 2:
            break
    else:
        raise AssertionError("Dana's second socket never sat on the other WebSocket server")
    sent: list[str] = []
    _say(d, y, "Hi Yoni")
    _say(y, d, "Hi Dana, coffee?")
    sent += ["Hi Yoni", "Hi Dana, coffee?"]
    # One event, both of Dana's sockets, on two servers (the Redis channel layer).
    d2.wait_for_function(
        "() => [...document.querySelectorAll('.convo .convo-text')]"
        ".some(e => e.textContent.includes('Hi Dana, coffee?'))"
    )
    d2.close()
    wait_until(
        lambda: [_established(p) for p in prod.ws_ports] == [1, 1], 5, "one socket per server"
    )

    # One HTTP server and the WebSocket server holding Dana's socket die (SIGKILL).
    web_name, web_port = "web1", prod.web_ports[0]
    ws_name = f"ws{prod.ws_ports.index(dana_ws) + 1}"
    killed_at = time.time()
    prod.kill(web_name)
    prod.kill(ws_name)
    assert _get(f"http://127.0.0.1:{web_port}/healthz", timeout=1) == 0
    assert _get(f"http://127.0.0.1:{dana_ws}/healthz", timeout=1) == 0

    # Yoni writes at once, likely before Dana's tab has reconnected: she gets it live or from
    # the thread her tab reloads after reconnecting (static/js/chat.js), once either way.
    _say(y, d, "Are you still there?")
    sent.append("Are you still there?")
    d.wait_for_function("() => window.__reconnects >= 1", timeout=20_000)
    for sender, receiver, text in (
        (d, y, "Yes, my connection dropped"),
        (y, d, "Tomorrow at 10?"),
        (d, y, "Deal, see you"),
    ):
        _say(sender, receiver, text)
        sent.append(text)
    for _ in range(6):  # a few plain page loads through nginx meanwhile
        assert _get(base + "/") == 200

    # nginx sent nothing to the dead servers and answered every request without an error.
    # (Requests started after the kill; nginx logs a request when it ends, and a socket opened
    # before the kill is logged when it closes.)
    during = [e for e in prod.access_log() if e["msec"] - e["request_time"] > killed_at]
    assert during, "no requests logged"
    dead = {f"127.0.0.1:{web_port}", f"127.0.0.1:{dana_ws}"}
    for entry in during:
        assert entry["status"] < 500, entry
        final_upstream = entry["upstream"].split(", ")[-1]
        assert final_upstream not in dead, entry
    # The first request nginx gave the dead HTTP server went on to the live one.
    assert any(e["upstream"].startswith(f"127.0.0.1:{web_port}, ") for e in during), during
    assert _established(dana_ws) == 0
    assert sum(_established(p) for p in prod.ws_ports) == 2  # both sockets on the survivor

    # Nothing lost, nothing twice: on both screens and in the database.
    assert _thread(d) == sent
    assert _thread(y) == sent
    stored = list(
        Message.objects.filter(sender__in=[dana, yoni])
        .order_by("created")
        .values_list("text", flat=True)
    )
    assert stored == sent

    # The servers come back and nginx sends them requests again.
    restart_mark = len(prod.access_log())
    prod.release(web_name)
    prod.release(ws_name)
    wait_until(lambda: _get(f"http://127.0.0.1:{web_port}/healthz") == 200, 60, "web1 back")
    wait_until(lambda: _get(f"http://127.0.0.1:{dana_ws}/healthz") == 200, 60, "ws back")

    def web_rejoined() -> bool:
        _get(base + "/")
        return any(
            e["upstream"] == f"127.0.0.1:{web_port}" and e["status"] == 200
            for e in prod.access_log()[restart_mark:]
        )

    wait_until(web_rejoined, 30, "nginx to send requests to the restarted HTTP server")

    def ws_rejoined() -> bool:
        y.reload()
        y.wait_for_function("() => window.mielRealtime !== undefined")
        y.wait_for_timeout(500)
        return _established(dana_ws) >= 1

    wait_until(ws_rejoined, 40, "a socket on the restarted WebSocket server")
    _say(d, y, "Back to normal")
    sent.append("Back to normal")
    d.reload()
    assert _thread(d) == sent
    assert _thread(y) == sent
    assert Message.objects.filter(sender__in=[dana, yoni]).count() == len(sent)

    # /metrics through nginx from this machine: every server's and worker's counters added up
    # (multiprocess files in the run directory), the match and the messages of this journey.
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as r:  # noqa: S310
        assert r.headers["X-Request-ID"]  # nginx's $request_id, logged by the server
        metrics = r.read().decode()
    assert _metric_total(metrics, "miel_http_requests") > 0
    assert _metric_total(metrics, "miel_matches") >= 1
    assert _metric_total(metrics, "miel_messages_sent") >= len(sent)

    SHOTS.mkdir(parents=True, exist_ok=True)
    for who, page in (("dana", d), ("yoni", y)):
        page.screenshot(path=str(SHOTS / f"topology-chat-after-recovery-{who}.png"))
        page.context.close()
