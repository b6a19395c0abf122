"""The root CA and the keys: made before any request, with roles, rotatable, the root offline."""

import json
from io import StringIO

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command
from django.urls import reverse

from result_verifier import trust
from results_store import keys
from results_store.models import CertificateAuthority, SigningKey
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "một cụm mật khẩu dài đủ"


def test_the_root_and_the_portals_key_exist_before_the_first_request(client):
    assert CertificateAuthority.objects.filter(is_active=True).count() == 1
    assert SigningKey.objects.filter(agency=None, is_active=True).exists()
    before = SigningKey.objects.count()

    for name in ("jwks", "trust_list", "status_list", "root_ca"):
        assert client.get(reverse(f"results_store:{name}")).status_code == 200

    assert SigningKey.objects.count() == before


def test_a_new_agency_gets_its_certified_key_at_once():
    agency = AgencyFactory(code="000.09.00.H15")

    key = SigningKey.objects.get(agency=agency, is_active=True)

    certificate = x509.load_pem_x509_certificate(key.token_certificate.encode())
    root = keys.root_certificate(keys.root_active())
    assert trust.issuing_root(certificate, [root]) == root
    assert trust.certificate_role(certificate) == "results"
    assert trust.certificate_agency(certificate)[0] == "000.09.00.H15"
    pdf_certificate = x509.load_pem_x509_certificate(key.pdf_certificate.encode())
    assert trust.is_document_signing(pdf_certificate)
    assert trust.issuing_root(pdf_certificate, [root]) == root


def test_the_published_trust_list_states_each_keys_role_and_agency(client):
    AgencyFactory(code="000.09.00.H15")

    response = client.get(reverse("results_store:trust_list"))

    assert "max-age=300" in response["Cache-Control"]
    assert response["ETag"]
    assert (
        client.get(
            reverse("results_store:trust_list"), HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    loaded = trust.trust_list_load(response.content)
    roles = {(key.role, key.agency_code) for key in loaded.keys.values()}
    assert ("status_list", "") in roles
    assert ("results", "000.09.00.H15") in roles
    jwks = client.get(reverse("results_store:jwks")).json()
    assert all(len(jwk["x5c"]) == 2 for jwk in jwks["keys"])


def test_a_key_set_that_claims_another_role_than_its_certificate_is_not_believed(client):
    AgencyFactory(code="000.09.00.H15")
    document = json.loads(client.get(reverse("results_store:trust_list")).content)
    for jwk in document["keys"]:
        jwk["role"] = "status_list"
        jwk["agency"] = {"code": "000.01.00.H15", "name": "Công an thành phố"}

    loaded = trust.trust_list_load(json.dumps(document).encode())

    roles = {(key.role, key.agency_code) for key in loaded.keys.values()}
    assert ("results", "000.09.00.H15") in roles
    assert ("results", "000.01.00.H15") not in roles


def test_ensure_is_idempotent():
    AgencyFactory()
    call_command("signing_keys", "ensure", stdout=StringIO())
    count = SigningKey.objects.count()

    call_command("signing_keys", "ensure", stdout=StringIO())

    assert SigningKey.objects.count() == count


def test_the_root_key_can_live_offline_and_certify_from_its_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOT_KEY_PASSPHRASE", PASSPHRASE)
    exported = tmp_path / "root-key.pem"
    call_command("signing_keys", "export-root", "--out", str(exported), stdout=StringIO())
    call_command("signing_keys", "forget-root-key", stdout=StringIO())
    assert keys.root_active().private_key_encrypted == ""
    assert b"ENCRYPTED PRIVATE KEY" in exported.read_bytes()

    agency = AgencyFactory(code="000.10.00.H15")  # made while the root is offline
    assert not SigningKey.objects.filter(agency=agency).exists()
    with pytest.raises(CommandError, match="offline"):
        call_command("signing_keys", "ensure", stdout=StringIO())

    call_command("signing_keys", "ensure", "--root-key", str(exported), stdout=StringIO())

    assert SigningKey.objects.filter(agency=agency, is_active=True).exists()


def test_a_wrong_passphrase_does_not_open_the_exported_root_key(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOT_KEY_PASSPHRASE", PASSPHRASE)
    exported = tmp_path / "root-key.pem"
    call_command("signing_keys", "export-root", "--out", str(exported), stdout=StringIO())
    monkeypatch.setenv("ROOT_KEY_PASSPHRASE", "không phải cụm mật khẩu")

    with pytest.raises(CommandError, match="Cannot read the root key"):
        call_command("signing_keys", "ensure", "--root-key", str(exported), stdout=StringIO())


def test_rotating_the_root_recertifies_active_keys_and_keeps_the_old_root_published(client):
    agency = AgencyFactory(code="000.11.00.H15")
    old_root = keys.root_active()

    call_command("signing_keys", "rotate-root", stdout=StringIO())

    new_root = keys.root_active()
    assert new_root != old_root
    key = SigningKey.objects.get(agency=agency, is_active=True)
    certificate = x509.load_pem_x509_certificate(key.token_certificate.encode())
    assert trust.issuing_root(certificate, [keys.root_certificate(new_root)])
    published = json.loads(client.get(reverse("results_store:trust_list")).content)
    assert {root["sha256"] for root in published["roots"]} == {
        old_root.fingerprint,
        new_root.fingerprint,
    }


def test_rotating_an_agency_key_keeps_the_old_one_published():
    agency = AgencyFactory(code="000.12.00.H15")
    old = SigningKey.objects.get(agency=agency, is_active=True)

    call_command("signing_keys", "rotate", "--agency", agency.code, stdout=StringIO())

    assert SigningKey.objects.get(agency=agency, is_active=True) != old
    assert old.kid in {jwk["kid"] for jwk in keys.jwks()["keys"]}
