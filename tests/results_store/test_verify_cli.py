"""`manage.py verify_result`: offline checks from saved published files, no database."""

import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone

from result_verifier import tokens
from results_store import keys, services, status_list
from results_store.models import Result
from tests.factories import ResultTypeFactory
from tests.results_store.signing import issue_result, sign_token, ward_officer

HOLDER_ID = "048190001234"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return ward_officer()


@pytest.fixture
def signed(officer) -> Result:
    result = issue_result(
        result_type=ResultTypeFactory(code="KQ.G01.000001"),
        agency=officer.memberships.get().agency,
        holder_national_id=HOLDER_ID,
        holder_name="Nguyễn Thị Ánh Tuyết",
        issued_on=timezone.localdate(),
        number="123/2026/KS",
        data={},
        actor=officer,
    )
    sign_token(result, b"first revision")
    return result


@pytest.fixture
def trust_file(signed, tmp_path):
    path = tmp_path / "result-trust-list.json"
    path.write_text(json.dumps(keys.trust_list()))
    return path


def _run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_result", *args, "--lang", "en", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_cli_verifies_a_token_offline_with_a_saved_trust_list(
    signed, trust_file, django_assert_num_queries
):
    with django_assert_num_queries(0):
        code, output, _err = _run("--token", signed.token, "--trust-list", str(trust_file))

    assert code == 0
    assert output.startswith("Valid\n")
    assert "123/2026/KS" in output
    assert "Nguyễn Thị Ánh Tuyết" in output
    assert "Ủy ban nhân dân phường Hải Châu" in output
    assert HOLDER_ID not in output


def test_cli_reads_the_link_form_of_a_token_too(signed, trust_file):
    link = tokens.link_of(signed.token, base_url="https://dichvucong.example.vn")

    code, output, _err = _run("--token", link, "--trust-list", str(trust_file))

    assert code == 0, output


def test_cli_speaks_vietnamese_by_default(signed, trust_file):
    out = StringIO()
    call_command(
        "verify_result", "--token", signed.token, "--trust-list", str(trust_file), stdout=out
    )

    assert out.getvalue().startswith("Hợp lệ\n")


def test_cli_exits_non_zero_for_a_tampered_token(signed, trust_file, django_assert_num_queries):
    tampered = signed.token[:-6] + ("AAAAAA" if not signed.token.endswith("AAAAAA") else "BBBBBB")

    with django_assert_num_queries(0):
        code, output, _err = _run("--token", tampered, "--trust-list", str(trust_file))

    assert code == 1
    assert output.startswith("Not valid\n")


def test_cli_exits_non_zero_for_a_token_signed_by_an_unknown_key(signed, trust_file):
    facts = tokens.verify(signed.token, lambda kid: keys.public_key(signed.signing_key)).facts
    forged = tokens.sign(
        facts, kid="c3RyYW5nZXI", key=Ed25519PrivateKey.generate(), signed_at=timezone.now()
    )

    code, output, _err = _run("--token", forged, "--trust-list", str(trust_file))

    assert code == 1
    assert "was not issued by the portal" in output


def test_cli_reports_a_revocation_from_a_saved_status_list(
    signed, officer, trust_file, tmp_path, django_assert_num_queries
):
    services.result_revoke(result=signed, actor=officer, reason="Issued by mistake.")
    saved = tmp_path / "result-status.jws"
    saved.write_text(status_list.status_list_jws())

    with django_assert_num_queries(0):
        code, output, _err = _run(
            "--token", signed.token, "--trust-list", str(trust_file), "--status-list", str(saved)
        )

    assert code == 1
    assert output.startswith("Revoked\n")
    assert "Issued by mistake." in output


def test_cli_refuses_a_status_list_not_signed_by_the_status_list_key(signed, trust_file, tmp_path):
    header, payload, _signature = status_list.status_list_jws().split(".")
    forged_signature = Ed25519PrivateKey.generate().sign(f"{header}.{payload}".encode())
    saved = tmp_path / "result-status.jws"
    saved.write_text(f"{header}.{payload}.{keys.b64url(forged_signature)}")

    code, _output, err = _run(
        "--token", signed.token, "--trust-list", str(trust_file), "--status-list", str(saved)
    )

    assert code == 2
    assert "signature does not match" in err


def test_cli_refuses_a_file_that_is_not_a_trust_list(signed, tmp_path):
    not_trust_list = tmp_path / "trust.json"
    not_trust_list.write_text("<html>")

    code, _output, err = _run("--token", signed.token, "--trust-list", str(not_trust_list))

    assert code == 2
    assert "not JSON" in err


@pytest.fixture
def issued_pdf_file(officer, tmp_path):
    """A result PDF signed for real (skips while the PDF module cannot render)."""
    from tests.results_store.test_verification import sign_with_pdf

    result = issue_result(
        result_type=ResultTypeFactory(code="KQ.G01.000002"),
        agency=officer.memberships.get().agency,
        holder_national_id=HOLDER_ID,
        holder_name="Trần Thị Bình",
        issued_on=timezone.localdate(),
        number="301/2026/KS",
        data={},
        actor=officer,
    )
    path = tmp_path / "result.pdf"
    path.write_bytes(sign_with_pdf(result))
    trust_list = tmp_path / "result-trust-list.json"
    trust_list.write_text(json.dumps(keys.trust_list()))
    return path, trust_list


def test_cli_reads_the_token_from_a_pdfs_qr_code_and_checks_its_content(
    issued_pdf_file, django_assert_num_queries
):
    pdf, trust_list = issued_pdf_file

    with django_assert_num_queries(0):
        code, output, _err = _run("--pdf", str(pdf), "--trust-list", str(trust_list))

    assert code == 0, output
    assert "301/2026/KS" in output


def test_cli_flags_a_forged_document_carrying_a_genuine_qr_code(issued_pdf_file, officer):
    from results_store import documents

    pdf, trust_list = issued_pdf_file
    genuine = Result.objects.get(number="301/2026/KS")
    forged = issue_result(
        result_type=genuine.result_type,
        agency=genuine.agency,
        holder_national_id="048190009999",
        holder_name="Kẻ Giả Mạo",
        issued_on=timezone.localdate(),
        number="999/2026/KS",
        data={},
        actor=officer,
    )
    pdf.write_bytes(documents.stamp_qr(documents.render_result_pdf(forged), token=genuine.token))

    code, output, _err = _run("--pdf", str(pdf), "--trust-list", str(trust_list))

    assert code == 1
    assert output.startswith("Not valid\n")
