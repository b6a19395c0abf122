"""Help and error text is tied to its field: every aria-describedby names an element on the page.

The newcomers' audit found 66 references to ids that did not exist, so screen
readers never announced a field's help or its error. Pages are fetched with
errors showing (empty required fields, a refused file) as well as clean.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.constants import DossierState
from dossiers.models import Dossier
from tests.accounts import pass_second_factor
from tests.dossiers.builders import cast, dossier_in
from tests.files import upload

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if attributes.get("aria-describedby"):
            self.references.extend(attributes["aria-describedby"].split())


def dangling(html: str) -> tuple[list[str], int]:
    parser = _Ids()
    parser.feed(html)
    return [ref for ref in parser.references if ref not in parser.ids], len(parser.references)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_the_intake_form_with_errors_points_only_at_what_is_there(client):
    c = cast()
    client.force_login(c.applicant)
    client.post(reverse("dossiers:start", args=[c.procedure.code]))
    draft = Dossier.objects.get(applicant=c.applicant, state=DossierState.DRAFT)
    component = c.procedure.components.get(position=1)
    clean = client.get(reverse("dossiers:edit", args=[draft.pk])).text
    refused = client.post(
        reverse("dossiers:edit", args=[draft.pk]),
        {
            "agency": c.agency.pk,
            "field_purpose": "",
            "delivery_method": "counter",
            f"component_{component.pk}": upload("to-khai.pdf", b"MZ" + b"\0" * 50),
            "action": "continue",
        },
    ).text
    for page in (clean, refused):
        missing, _count = dangling(page)
        assert missing == []
    assert dangling(refused)[1] > 0
    assert re.search(r'aria-describedby="[^"]*_error', refused)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("citizens:register", {"full_name": "", "email": "x", "password1": "1", "password2": "2"}),
        ("citizens:login", {"username": "", "password": ""}),
        ("citizens:password_reset", {"email": "not-an-email"}),
        ("dossiers:lookup", None),
    ],
)
def test_public_forms_with_errors_point_only_at_what_is_there(client, url, data):
    if data is None:
        page = client.get(reverse(url), {"code": "X", "pin": "12"}).text
    else:
        page = client.post(reverse(url), data).text
    missing, count = dangling(page)
    assert missing == []
    assert count > 0


def test_the_officers_action_forms_with_errors_point_only_at_what_is_there(client):
    c = cast()
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.force_login(c.officer)
    pass_second_factor(client, c.officer)
    for action, data in [("reject", {"reject-reason": ""}), ("request_supplement", {})]:
        page = client.post(reverse("dossiers:officer_act", args=[dossier.pk, action]), data).text
        assert dangling(page)[0] == [], action
    assert dangling(client.get(reverse("dossiers:queue")).text)[0] == []


def test_the_profiles_message_channels_are_a_labelled_group_around_a_real_list(client):
    c = cast()
    client.force_login(c.applicant)
    page = client.get(reverse("citizens:profile")).text
    assert '<ul class="checkbox-list" role=' not in page
    assert re.search(r'<div role="group" aria-labelledby="channels-label">\s*<ul', page)
    assert dangling(page)[0] == []
