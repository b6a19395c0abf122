"""`make run` on a port of its own: every link it sends or prints names that port.

The portal is started as a newcomer starts it (scripts/run.sh, which `make
run` calls) with PORT set to a free port, its own SQLite file, uploads and
mailbox; nothing tells it its address but the port. An officer digitizes a
paper birth certificate for the demo citizen (signed in the request, as
`make run` runs tasks in-process), the citizen asks for a password reset and
downloads the signed PDF. The links in every e-mail sent, the link printed on
the PDF, the link in its QR code and the issuer of the status list must all be
http://127.0.0.1:<that port>.
"""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from portal.management.commands.seed_demo import DEMO_PASSWORD, demo_totp_secret
from tests.e2e.journeys import authenticator_code
from tests.files import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 300
URL = re.compile(r"https?://[^\s\"'<>)]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def portal_on_another_port(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "IDENTITY_PROVIDER_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    # What `make run` is told on a newcomer's machine: nothing about its address.
    for name in ("PORTAL_BASE_URL", "OIDC_ISSUER", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not answers(f"{base}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "make run did not start:\n" + (tmp_path / "run.log").read_text()[-3000:]
                )
            time.sleep(1)
        yield base, tmp_path / "mail"
    finally:
        # runserver's autoreloader runs the server in a child: end the whole group.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def english_page(browser, context_args, base):
    context = browser.new_context(**context_args)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    return context.new_page()


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email, citizen ID number or username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/second-factor/" in page.url:
        page.get_by_label("Sign-in code").fill(authenticator_code(demo_totp_secret(username)))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def links_in_mail(mailbox: Path) -> list[str]:
    text = "\n".join(path.read_text(errors="replace") for path in sorted(mailbox.glob("*.log")))
    # Quoted-printable soft line breaks would cut a link in two.
    text = text.replace("=\n", "").replace("=3D", "=")
    return URL.findall(text)


def test_make_run_on_another_port_names_that_port_in_every_link(
    portal_on_another_port, browser, browser_context_args, tmp_path
):
    base, mailbox = portal_on_another_port

    # The ward's officer digitizes the demo citizen's paper birth certificate.
    officer = english_page(browser, browser_context_args, base)
    sign_in(officer, base, "officer.hai-chau")
    officer.goto(f"{base}/officer/results/digitize/")
    officer.get_by_label("Result type").select_option(label="Birth certificate (KQ.G15.000031)")
    officer.get_by_label("Number on the paper result").fill("77/2010")
    officer.get_by_label("Date of issue").fill("2010-04-12")
    officer.get_by_label("Holder's citizen ID number").fill("048090012345")
    officer.get_by_label("Holder's full name").fill("Nguyễn Văn An")
    officer.get_by_label("Content of the result").fill("Họ, chữ đệm, tên: Nguyễn Văn An\n")
    officer.get_by_label("Scan of the paper result").set_input_files(
        {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    officer.get_by_role("button", name="Digitize and sign").click()
    expect(officer.get_by_role("status")).to_contain_text("77/2010 was digitized")
    officer.context.close()

    # The citizen asks for a new password, then downloads the signed result.
    citizen = english_page(browser, browser_context_args, base)
    citizen.goto(f"{base}/accounts/password/reset/")
    citizen.get_by_label("Email").fill("citizen@example.com")
    citizen.get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()
    citizen.wait_for_load_state()
    sign_in(citizen, base, "citizen")
    citizen.goto(f"{base}/me/wallet/")
    card = citizen.get_by_role("listitem").filter(has_text="77/2010")
    pdf_url = card.get_by_role("link", name=re.compile("^Download")).get_attribute("href")
    pdf = citizen.request.get(base + pdf_url).body()
    citizen.context.close()
    assert pdf[:5] == b"%PDF-"

    mailed = links_in_mail(mailbox)
    assert any("/accounts/password/reset/" in link for link in mailed), mailed
    assert mailed and all(link.startswith(base + "/") for link in mailed), mailed

    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(tmp_path / "page")], check=True)  # fmt: skip
    with Image.open(tmp_path / "page.png") as image:
        codes = zxingcpp.read_barcodes(image.convert("RGB"))
    assert len(codes) == 1
    assert codes[0].text.lower().startswith(f"{base}/v/"), codes[0].text
    printed = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    printed_links = URL.findall(printed)
    assert printed_links and all(link.startswith(base + "/") for link in printed_links), printed

    with urllib.request.urlopen(f"{base}/.well-known/result-status.jws", timeout=10) as response:
        payload = response.read().decode().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == base
