"""A local HTTP server standing in for the SMS / chat-app gateway, and a cast of people."""

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

WEBHOOK_TOKEN = "test-gateway-token"
HOLD = "hold"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Gateway:
    """Answers each POST with the next planned reply (a status code, or HOLD), then 200.

    HOLD keeps the request open until `release` is set, the way a slow gateway
    does while a worker is killed mid-request.
    """

    url: str = ""
    plan: list = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self):
        with self.lock:
            return self.plan.pop(0) if self.plan else 200

    def keys(self) -> list[str]:
        return [r.headers.get("Idempotency-Key") for r in self.requests]


def _handler_for(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode())
            with gateway.lock:
                gateway.requests.append(ReceivedRequest(self.path, dict(self.headers), body))
            gateway.arrived.set()
            reply = gateway.next_reply()
            if reply == HOLD:
                gateway.release.wait(timeout=60)
                reply = 200
            payload = json.dumps({"ok": 200 <= reply < 300}).encode()
            self.send_response(reply)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client is gone (killed)
                self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def gateway(settings):
    """A running gateway on a free local port; NOTIFY_WEBHOOK_* point at it."""
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(gateway))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/api/messages"
    settings.NOTIFY_WEBHOOK_URL = gateway.url
    settings.NOTIFY_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    settings.NOTIFY_WEBHOOK_TIMEOUT = 5
    yield gateway
    gateway.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = "https://dichvucong.danang.example"
