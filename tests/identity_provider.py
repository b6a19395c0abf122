"""A real OpenID provider for the tests: `oidc-provider` from npm, as a process.

scripts/identity-provider/provider.mjs wraps the certified `oidc-provider`
package with login and consent pages and, for tests only, a control API that
alters its next answer the way a broken or hostile provider would (a token
for another nonce or audience, expired, signed by an unknown key...). The
portal talks to it over HTTP exactly as it would to the national provider.

`ProviderUser` is a person at the provider's pages, driven over plain HTTP
for tests that use Django's test client; browser journeys use its pages in
Chromium instead.
"""

import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_DIR = ROOT / "scripts" / "identity-provider"
CLIENT_ID = "portal-tests"
CLIENT_SECRET = "a-test-client-secret-of-some-length"
START_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Identity:
    login: str
    password: str
    sub: str
    name: str
    birthdate: str
    gender: str
    national_id: str
    email: str = ""

    def as_config(self) -> dict:
        claims = {
            "name": self.name,
            "birthdate": self.birthdate,
            "gender": self.gender,
            "national_id": self.national_id,
        }
        if self.email:
            claims["email"] = self.email
        return {"login": self.login, "password": self.password, "sub": self.sub, "claims": claims}


# People who exist at the test provider. Their citizen IDs agree with their
# birth year and gender, as real ones do.
LAN = Identity(
    login="048195001234",
    password="vneid-lan-2026",
    sub="vneid-test-lan",
    name="Trần Thị Lan",
    birthdate="1995-08-20",
    gender="female",
    national_id="048195001234",
    email="lan@example.vn",
)
KHANG = Identity(
    login="048201004567",
    password="vneid-khang-2026",
    sub="vneid-test-khang",
    name="Lê Minh Khang",
    birthdate="2001-03-02",
    gender="male",
    national_id="048201004567",
)
IDENTITIES = (LAN, KHANG)


class IdentityProvider:
    """One provider process on 127.0.0.1, stopped by `stop()`."""

    def __init__(self, *, redirect_uris: list[str], post_logout_redirect_uris: list[str]):
        if shutil.which("node") is None:
            raise RuntimeError(
                "Node.js is needed for the identity provider tests (apt-get install nodejs)."
            )
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(
                "The identity provider is not installed: run scripts/identity-provider.sh install."
            )
        self._folder = tempfile.TemporaryDirectory(prefix="identity-provider-")
        config = Path(self._folder.name) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "port": 0,
                    "control": True,
                    "clients": [
                        {
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                            "redirect_uris": redirect_uris,
                            "post_logout_redirect_uris": post_logout_redirect_uris,
                        }
                    ],
                    "identities": [identity.as_config() for identity in IDENTITIES],
                }
            )
        )
        self._log = open(Path(self._folder.name) / "provider.log", "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["node", str(PROVIDER_DIR / "provider.mjs"), "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=PROVIDER_DIR,
        )
        self.issuer = self._wait_ready()

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        line = self.process.stdout.readline().decode().strip()
        if not line.startswith("READY ") or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"The identity provider did not start: {line!r}\n{self.log()}")
        return line.removeprefix("READY ").strip()

    def log(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def tamper(self, target: str, mode: str) -> None:
        """Alter the provider's next answer at `target` (token, discovery, jwks, userinfo)."""
        answer = requests.post(
            f"{self.issuer}/__control/tamper", json={"target": target, "mode": mode}, timeout=5
        )
        answer.raise_for_status()

    def reset(self) -> None:
        requests.post(f"{self.issuer}/__control/reset", timeout=5).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self._log.close()
        self._folder.cleanup()


class _Forms(HTMLParser):
    """The forms of a page: action, method, fields and submit buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action", ""),
                    "id": attrs.get("id"),
                    "fields": {},
                    "buttons": [],
                }
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button":
            form_id = attrs.get("form")
            form = next((f for f in self.forms if f["id"] == form_id), None) if form_id else None
            target = form or (self.forms[-1] if self.forms else None)
            if target is not None:
                target["buttons"].append(attrs)


class ProviderUser:
    """A person at the provider's pages, over HTTP, as a browser without JavaScript."""

    def __init__(self, provider: IdentityProvider, *, stop_at: str):
        self.provider = provider
        self.stop_at = stop_at  # the portal's address: the walk stops at its redirect
        self.session = requests.Session()
        self.last_page = ""

    def _walk(self, response) -> str:
        """Follow redirects at the provider; return the address leading back to the portal."""
        for _ in range(20):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if location.startswith(self.stop_at):
                    return location
                response = self.session.get(location, allow_redirects=False, timeout=10)
                continue
            self.last_page = response.text
            return ""
        raise AssertionError("too many redirects at the provider")

    def open(self, authorize_url: str) -> str:
        return self._walk(self.session.get(authorize_url, allow_redirects=False, timeout=10))

    def _submit(self, action: str, data: dict) -> str:
        url = urljoin(self.provider.issuer + "/", action)
        return self._walk(self.session.post(url, data=data, allow_redirects=False, timeout=10))

    def _form(self, action_pattern: str) -> dict:
        parser = _Forms()
        parser.feed(self.last_page)
        for form in parser.forms:
            if re.search(action_pattern, form["action"]):
                return form
        raise AssertionError(f"no form {action_pattern} on the provider's page:\n{self.last_page}")

    def sign_in(self, identity: Identity, *, password: str | None = None) -> str:
        form = self._form(r"/login$")
        return self._submit(
            form["action"],
            {**form["fields"], "login": identity.login, "password": password or identity.password},
        )

    def consent(self) -> str:
        return self._submit(self._form(r"/confirm$")["action"], {})

    def refuse(self) -> str:
        return self._submit(self._form(r"/abort$")["action"], {})

    def authorize(self, authorize_url: str, identity: Identity) -> str:
        """Open the provider's page, sign in and consent: the callback address with the code."""
        callback = self.open(authorize_url)
        if not callback:
            callback = self.sign_in(identity)
        if not callback:
            callback = self.consent()
        assert callback, f"the provider did not send the person back:\n{self.last_page}"
        return callback
