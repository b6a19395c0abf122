"""The profile's two addresses are told apart: each under its own legend."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fieldsets(html: str) -> dict[str, str]:
    """Each <fieldset> of the page by the text of its legend."""
    found = {}
    for body in re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", html, flags=re.S):
        legend = re.search(r"<legend>(.*?)</legend>", body, flags=re.S)
        if legend:
            found[re.sub(r"<[^>]+>", "", legend.group(1)).strip()] = body
    return found


def test_the_permanent_and_current_addresses_have_distinct_legends(client):
    client.force_login(UserFactory())
    groups = fieldsets(client.get(reverse("citizens:profile")).text)
    assert 'id="id_permanent_street"' in groups["Địa chỉ thường trú"]
    assert 'id="id_permanent_province"' in groups["Địa chỉ thường trú"]
    assert 'id="id_current_street"' in groups["Nơi ở hiện tại"]
    assert 'id="id_current_province"' in groups["Nơi ở hiện tại"]
    assert 'id="id_current_street"' not in groups["Địa chỉ thường trú"]


def test_each_address_field_is_on_the_page_once(client):
    client.force_login(UserFactory())
    html = client.get(reverse("citizens:profile")).text
    for prefix in ("permanent", "current"):
        for part in ("street", "ward", "district", "province"):
            assert html.count(f'id="id_{prefix}_{part}"') == 1


def test_the_personal_details_stay_outside_the_address_groups(client):
    client.force_login(UserFactory())
    groups = fieldsets(client.get(reverse("citizens:profile")).text)
    assert not any('id="id_full_name"' in body for body in groups.values())
