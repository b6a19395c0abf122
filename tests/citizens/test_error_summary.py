"""The account forms open with the error summary when they refuse what was sent."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.autofocused: list[dict] = []
        self.links: list[str] = []
        self._summary_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if "autofocus" in attributes:
            self.autofocused.append({"tag": tag, **attributes})
        if "error-summary" in (attributes.get("class") or "").split():
            self._summary_depth = 1
        elif self._summary_depth and tag == "div":
            self._summary_depth += 1
        elif self._summary_depth and tag == "a":
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if self._summary_depth and tag == "div":
            self._summary_depth -= 1


def parse(html: str) -> _Page:
    parsed = _Page()
    parsed.feed(html)
    return parsed


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_a_refused_sign_in_focuses_the_summary_instead_of_the_username(client):
    response = client.post(reverse("citizens:login"), {"username": "", "password": ""})
    parsed = parse(response.text)
    assert [element["tag"] for element in parsed.autofocused] == ["div"]
    assert parsed.autofocused[0]["class"] == "error-summary"
    assert parsed.links == ["#id_username", "#id_password"]
    assert {link[1:] for link in parsed.links} <= parsed.ids
    assert title(response.text).startswith("Lỗi: ")
    assert "Đã có lỗi" in response.text


def test_a_wrong_password_is_summarised_without_a_link_and_shown_once(client):
    UserFactory(username="an", password="right-password-123")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("citizens:login"), {"username": "an", "password": "wrong"})
    parsed = parse(response.text)
    assert parsed.links == []
    assert "There is a problem" in response.text
    assert title(response.text).startswith("Error: ")
    # Only in the summary: the form's own box of non-field errors is left out.
    assert response.text.count('class="message message-error"') == 0


def test_the_sign_in_page_without_errors_keeps_the_focus_on_the_username(client):
    response = client.get(reverse("citizens:login"))
    parsed = parse(response.text)
    assert [element.get("id") for element in parsed.autofocused] == ["id_username"]
    assert not title(response.text).startswith("Lỗi")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("citizens:register", {"full_name": "", "email": "x", "password1": "1", "password2": "2"}),
        ("citizens:password_reset", {"email": "not-an-email"}),
    ],
)
def test_public_account_forms_link_every_error_to_its_field(client, url, data):
    response = client.post(reverse(url), data)
    parsed = parse(response.text)
    assert parsed.links
    assert {link[1:] for link in parsed.links} <= parsed.ids
    assert len(parsed.autofocused) == 1
    assert title(response.text).startswith("Lỗi: ")


def test_the_wallet_form_links_its_errors(client):
    client.force_login(UserFactory())
    response = client.post(reverse("citizens:wallet_add"), {"title": ""})
    parsed = parse(response.text)
    assert "#id_file" in parsed.links
    assert {link[1:] for link in parsed.links} <= parsed.ids
    assert title(response.text).startswith("Lỗi: ")
