"""Every page carries a Content-Security-Policy; administrator text is inert."""

import base64
import hashlib
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.constants import DossierState
from dossiers.models import Dossier
from tests.dossiers.builders import cast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/procedures/",
        "/verify/",
        "/verify/scan/",
        "/accounts/login/",
        "/statistics/",
        "/nope/",
    ],
)
def test_public_pages_refuse_inline_scripts_and_framing(client, url):
    response = client.get(url)
    assert response.status_code in {200, 404}
    directives = policy(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'self'" in directives["script-src"]


def test_the_scanner_script_runs_by_the_nonce_sent_in_the_header(client):
    response = client.get(reverse("results_store:scan"))
    nonces = re.findall(r'<script [^>]*nonce="([^"]+)"', response.text)
    assert len(nonces) == 1
    assert f"'nonce-{nonces[0]}'" in policy(response)["script-src"]
    again = client.get(reverse("results_store:scan"))
    assert re.findall(r'nonce="([^"]+)"', again.text) != nonces


def test_no_page_template_carries_an_inline_style_or_script(client):
    # Style attributes are refused by the policy: a page that needs one is broken.
    c = cast()
    client.force_login(c.applicant)
    for url in ["/", "/procedures/", reverse("dossiers:mine"), "/notifications/"]:
        body = client.get(url).text
        assert " style=" not in body, url
        assert "<script>" not in body, url


def test_help_text_and_labels_from_the_admin_are_printed_as_text(client):
    c = cast()
    field = c.procedure.form_fields.get(key="purpose")
    field.help_text = PAYLOAD
    field.label = PAYLOAD
    field.save()
    client.force_login(c.applicant)
    client.post(reverse("dossiers:start", args=[c.procedure.code]))
    draft = Dossier.objects.get(applicant=c.applicant, state=DossierState.DRAFT)
    body = client.get(reverse("dossiers:edit", args=[draft.pk])).text
    assert "<img src=x" not in body
    assert "<script>window" not in body
    assert "&lt;img src=x onerror=" in body


def test_the_admins_own_inline_style_is_allowed_by_its_hash(client, monkeypatch):
    # Django's change list prints an inline <style> when no action bar is shown.
    from django.contrib import admin

    from results_store.models import Result

    result_admin = admin.site._registry[Result]
    monkeypatch.setattr(result_admin, "actions_on_top", False)
    monkeypatch.setattr(result_admin, "actions_on_bottom", False)
    client.force_login(UserFactory(username="csp-admin", administrator=True))
    response = client.get(reverse("admin:results_store_result_changelist"))
    blocks = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert blocks
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy(response)["style-src"]
