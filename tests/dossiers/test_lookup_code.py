"""The public lookup takes a dossier code however it was copied: case and spaces aside."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.constants import DossierState
from dossiers.lookup import lookup_code_forms
from tests.dossiers.builders import cast, dossier_in

pytestmark = pytest.mark.django_db
FOUND = "Đã tiếp nhận"
NOT_FOUND = "Không có hồ sơ nào khớp với mã và mã PIN này."


@pytest.fixture(autouse=True)
def _fresh_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier():
    return dossier_in(DossierState.RECEIVED, cast())


def lookup(client, code, pin, address="203.0.113.7"):
    return client.get(reverse("dossiers:lookup"), {"code": code, "pin": pin}, REMOTE_ADDR=address)


def test_a_code_typed_in_small_letters_finds_the_dossier(client, dossier):
    assert dossier.code != dossier.code.lower()
    response = lookup(client, dossier.code.lower(), dossier.lookup_pin)
    assert FOUND in response.text
    assert dossier.code in response.text


def test_spaces_around_the_code_are_ignored(client, dossier):
    response = lookup(client, f"  {dossier.code.lower()}\t ", dossier.lookup_pin)
    assert FOUND in response.text


def test_a_code_in_another_case_with_a_wrong_pin_still_reveals_nothing(client, dossier):
    wrong_pin = f"{(int(dossier.lookup_pin) + 1) % 10**8:08d}"
    response = lookup(client, dossier.code.lower(), wrong_pin)
    assert NOT_FOUND in response.text
    assert FOUND not in response.text


def test_changing_the_case_of_a_code_does_not_escape_its_rate_limit(client, dossier, settings):
    settings.DOSSIER_LOOKUP_RATE_PER_CODE = "3/h"
    spellings = [dossier.code, dossier.code.lower(), f" {dossier.code} "]
    for number, spelling in enumerate(spellings):
        assert lookup(client, spelling, "00000000", f"198.51.100.{number}").status_code == 200
    refused = lookup(client, dossier.code.lower(), dossier.lookup_pin, "198.51.100.200")
    assert refused.status_code == 429
    assert FOUND not in refused.text


def test_the_code_forms_are_exact_spellings_without_duplicates():
    assert lookup_code_forms("  000.01.00.h15-261123-0001 ") == [
        "000.01.00.h15-261123-0001",
        "000.01.00.H15-261123-0001",
    ]
    assert lookup_code_forms("   ") == []
