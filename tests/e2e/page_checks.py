"""Every page the browser suite visits is checked: axe-core (WCAG 2.2 A/AA) and
the Nu HTML Checker, with no serious or critical violation, no HTML error and
no `aria-describedby` naming an id that is not on the page.

The live server records each HTML response it serves (`CaptureMiddleware`,
installed before the server builds its handler). After each test, the pages
not checked before (one per route, method, status, language and kind of user)
go to the Nu checker as the bytes that were served, and are replayed from
those bytes into a browser tab of their own, where axe runs at a desktop and
at a phone width. Replaying rather than checking in the test's own tab sees
exactly what was served, pages answering a POST included (a form with its
errors), and never races the test's next click.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from citizens.constants import MembershipRole

CHECKERS = Path(__file__).resolve().parents[2] / "scripts" / "page-checks" / "node_modules"
AXE_SOURCE = CHECKERS / "axe-core" / "axe.min.js"
VNU_JAR = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
MAX_RESOURCE_BYTES = 2 * 1024 * 1024
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Every element whose aria-describedby names an id missing from the page.
BROKEN_DESCRIBED_BY = """() => [...document.querySelectorAll('[aria-describedby]')]
  .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
    .filter(id => !document.getElementById(id))
    .map(id => `${el.tagName.toLowerCase()}#${el.id || '?'} → ${id}`))"""


@dataclass
class ServedPage:
    method: str
    url: str
    route: str
    status: int
    language: str
    user_kind: str
    headers: dict
    body: bytes

    @property
    def key(self) -> tuple:
        return (self.method, self.route, self.status, self.language, self.user_kind)

    def describe(self) -> str:
        return f"{self.method} {self.url} ({self.status}, {self.language}, {self.user_kind})"


@dataclass
class Resource:
    """A script or other GET a page fetched from the portal (the admin's JavaScript
    catalog, say), replayed with the page: by then its session is gone."""

    status: int
    headers: dict
    body: bytes


@dataclass
class Recorder:
    """What the live server served during the current test."""

    pages: list[ServedPage] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: ServedPage) -> None:
        with self.lock:
            self.pages.append(page)

    def add_resource(self, url: str, resource: Resource) -> None:
        with self.lock:
            self.resources[url] = resource

    def take(self) -> tuple[list[ServedPage], dict[str, Resource]]:
        with self.lock:
            pages, self.pages = self.pages, []
            resources, self.resources = self.resources, {}
        return pages, resources


RECORDER = Recorder()


def _user_kind(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "visitor"
    if user.is_superuser:
        return "administrator"
    roles = set(user.memberships.values_list("role", flat=True))
    if MembershipRole.SUPERVISOR in roles:
        return "supervisor"
    if roles:
        return "officer"
    return "staff" if user.is_staff else "citizen"


class CaptureMiddleware:
    """Outermost, so it records the response as the browser gets it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        # A redirect's body is never shown: the browser follows it; an empty
        # body (a 405's) is no page, nor what the browser fetches by itself (a
        # favicon, a script): those are kept to replay with the pages.
        shown = not 300 <= response.status_code < 400
        document = request.headers.get("Sec-Fetch-Dest", "document") in ("document", "iframe")
        if (
            shown
            and document
            and content_type.startswith("text/html")
            and not response.streaming
            and response.content.strip()
        ):
            self._record_page(request, response)
        elif (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and len(response.content) <= MAX_RESOURCE_BYTES
        ):
            RECORDER.add_resource(
                request.build_absolute_uri(),
                Resource(
                    status=response.status_code,
                    headers={"Content-Type": content_type},
                    body=bytes(response.content),
                ),
            )
        return response

    @staticmethod
    def _record_page(request, response) -> None:
        match = getattr(request, "resolver_match", None)
        RECORDER.add(
            ServedPage(
                method=request.method,
                url=request.build_absolute_uri(),
                route=match.route if match else request.path,
                status=response.status_code,
                language=getattr(request, "LANGUAGE_CODE", ""),
                user_kind=_user_kind(request),
                headers={
                    name: response[name]
                    for name in ("Content-Type", "Content-Security-Policy")
                    if name in response
                },
                body=bytes(response.content),
            )
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NuChecker:
    """The Nu HTML Checker as a local service: one JVM for the whole session."""

    START_TIMEOUT_SECONDS = 90

    def __init__(self):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                os.environ.get("JAVA", "java"),
                "-Xss2m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("The Nu HTML Checker did not start (is Java installed?).")
            try:
                self.errors(b"<!DOCTYPE html><html lang=en><title>ready</title>")
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("The Nu HTML Checker did not answer within 90 s.")

    def errors(self, body: bytes) -> list[str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=body,
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [
            f"line {message.get('lastLine', '?')}: {message['message']}"
            f" [{message.get('extract', '').strip()[:120]}]"
            for message in messages
            if message["type"] in ("error", "non-document-error")
        ]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _axe_problems(result: dict) -> list[str]:
    problems = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']}"
            f" – {len(violation['nodes'])} × {targets}"
        )
    return problems


class PageChecks:
    """Checks each distinct served page once per session; keeps a record of them all."""

    def __init__(self, browser):
        self.browser = browser
        self.nu: NuChecker | None = None
        self.tab = None
        self.axe_source = AXE_SOURCE.read_text()
        self.checked: dict[tuple, list[str]] = {}
        self.record: list[dict] = []

    def problems(self, pages: list[ServedPage], resources: dict[str, Resource]) -> list[str]:
        found = []
        for page in pages:
            if page.key in self.checked:
                continue
            problems = self._check(page, resources)
            self.checked[page.key] = problems
            self.record.append({"page": page.describe(), "route": page.route, "problems": problems})
            found.extend(f"{page.describe()}: {problem}" for problem in problems)
        return found

    def _check(self, page: ServedPage, resources: dict[str, Resource]) -> list[str]:
        if self.nu is None:
            self.nu = NuChecker()
        problems = [f"HTML {error}" for error in self.nu.errors(page.body)]
        return problems + self._in_browser(page, resources)

    def _in_browser(self, served: ServedPage, resources: dict[str, Resource]) -> list[str]:
        """axe at each width on one replayed load: resizing re-applies the media queries."""
        if self.tab is None:
            self.tab = self.browser.new_context().new_page()
        tab = self.tab
        url = served.url.split("#")[0]
        # Everything from the portal goes through the replay; the rest of the
        # web is not the page's (and the CSP keeps it out anyway).
        origin = urlsplit(url)
        pattern = re.compile("^" + re.escape(f"{origin.scheme}://{origin.netloc}/"))

        def replay(route):
            request = route.request
            if request.is_navigation_request() and request.url.split("#")[0] == url:
                route.fulfill(status=served.status, headers=served.headers, body=served.body)
            elif request.url in resources:
                resource = resources[request.url]
                route.fulfill(status=resource.status, headers=resource.headers, body=resource.body)
            else:
                route.continue_()

        tab.route(pattern, replay)
        try:
            tab.set_viewport_size(WIDTHS["desktop"])
            tab.goto(url, wait_until="load")
            tab.evaluate(self.axe_source)
            problems = []
            for width, viewport in WIDTHS.items():
                tab.set_viewport_size(viewport)
                result = tab.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                    " resultTypes: ['violations']})",
                    WCAG_TAGS,
                )
                problems.extend(f"{width}: {problem}" for problem in _axe_problems(result))
            problems.extend(
                f"aria-describedby names a missing id: {broken}"
                for broken in tab.evaluate(BROKEN_DESCRIBED_BY)
            )
            return problems
        finally:
            tab.unroute(pattern, replay)

    def close(self, report: Path) -> None:
        if self.nu is not None:
            self.nu.stop()
        if self.tab is not None:
            self.tab.context.close()
        if self.record:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(json.dumps(self.record, ensure_ascii=False, indent=1))
