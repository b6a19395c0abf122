"""Genuine and forged result PDFs, checked by the page, the CLIs and pdfsig.

A birth certificate is issued and signed for real. Forgeries are made the way a
forger with the genuine file would: a revision appended that paints over the
child's name, a byte of the signature changed, the document re-signed with a
certificate of the forger's own (self-signed, or naming the agency and the
portal's root as its issuer), and the document re-signed with another agency's
genuine key. None is accepted anywhere; the genuine file is accepted
everywhere, and poppler's pdfsig, once the published root is installed in its
NSS database, reports the genuine chain as trusted and the forged one not.
"""

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from citizens.constants import MembershipRole
from citizens.models import Membership
from result_verifier import tokens
from results_store import documents, keys, services
from results_store.models import Result
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.results_store.signing import issue_result

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
CHILD = "Nguyễn Minh Khôi"
BIRTH = {
    "child_full_name": CHILD,
    "child_date_of_birth": "05/03/2026",
    "child_gender": "Nam",
    "child_place_of_birth": "Bệnh viện Phụ sản - Nhi Đà Nẵng",
    "mother_full_name": "Trần Thị Bình",
    "father_full_name": "Nguyễn Văn Cường",
    "full_name": "Nguyễn Văn Cường",
    "relationship": "Cha",
}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def genuine(media_root) -> tuple[Result, bytes]:
    agency = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", code="000.01.00.H15")
    officer = UserFactory()
    Membership.objects.create(user=officer, agency=agency, role=MembershipRole.OFFICER)
    result = issue_result(
        result_type=ResultTypeFactory(code="KQ.G15.000031", name="Giấy khai sinh"),
        agency=agency,
        holder_national_id="048190001234",
        holder_name="Nguyễn Văn Cường",
        issued_on=dt.date(2026, 3, 9),
        data=BIRTH,
        actor=officer,
    )
    services.result_sign(result.pk)
    result.refresh_from_db()
    with default_storage.open(result.pdf.name, "rb") as file:
        return result, file.read()


@pytest.fixture
def published(genuine, tmp_path) -> dict[str, Path]:
    """The files a verifier downloads from /.well-known/."""
    trust_list = tmp_path / "result-trust-list.json"
    trust_list.write_text(json.dumps(keys.trust_list()))
    root = tmp_path / "result-root-ca.pem"
    root.write_text(keys.roots_pem())
    return {"trust_list": trust_list, "root": root}


def _signer(certificate: x509.Certificate, key, chain=()):
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=_asn1(certificate),
        signing_key=load_private_key_from_pemder_data(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            passphrase=None,
        ),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(certificate), *map(_asn1, chain)]),
    )


def _asn1(certificate: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _forger_certificate(*, subject: x509.Name, issuer: x509.Name, key, issuer_key):
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _resign(pdf_before_signature: bytes, signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_before_signature))
    metadata = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def _overlay(pdf: bytes) -> bytes:
    """An appended revision painting a white box and another name over page 1."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.basic import get_courier
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    font = get_courier(writer)
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/FForged"): font})}
    )
    paint = (
        b"q 1 1 1 rg 60 560 480 40 re f 0 0 0 rg BT /FForged 16 Tf 70 575 Td (Le Thi Gia) Tj ET Q"
    )
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=paint)), resources
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signature_byte_changed(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    contents_start = signature.byte_range[1] + 1  # after "<"
    tampered = bytearray(pdf)
    position = contents_start + 200
    tampered[position] = ord("0") if tampered[position] != ord("0") else ord("1")
    return bytes(tampered)


def forgeries(result: Result, pdf: bytes) -> dict[str, bytes]:
    before_signature = _before_signature(pdf)
    agency_subject = x509.load_pem_x509_certificate(
        result.signing_key.pdf_certificate.encode()
    ).subject
    root = keys.root_certificate(keys.root_active())
    forger_key = ec.generate_private_key(ec.SECP256R1())
    fake_root_key = ec.generate_private_key(ec.SECP256R1())
    self_signed = _forger_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân phường")]),
        issuer=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân phường")]),
        key=forger_key,
        issuer_key=forger_key,
    )
    # Same names as the genuine certificate and root, another key.
    lookalike = _forger_certificate(
        subject=agency_subject, issuer=root.subject, key=forger_key, issuer_key=fake_root_key
    )
    other_agency = keys.signing_key_generate(
        agency=AgencyFactory(name="Ủy ban nhân dân phường Thanh Khê", code="000.02.00.H15")
    )
    return {
        "overlay appended after the signature": _overlay(pdf),
        "one byte of the signature changed": _signature_byte_changed(pdf),
        "re-signed with a self-signed certificate": _resign(
            before_signature, _signer(self_signed, forger_key)
        ),
        "re-signed with a look-alike of the agency's certificate": _resign(
            before_signature, _signer(lookalike, forger_key)
        ),
        "re-signed with another agency's genuine key": documents.sign_pdf(
            before_signature, signing_key=other_agency
        ),
        "overlay, then re-signed with a self-signed certificate": _resign(
            _overlay(before_signature), _signer(self_signed, forger_key)
        ),
    }


def _before_signature(pdf: bytes) -> bytes:
    """Revisions 0 and 1 (document and QR code) of a genuine file: what the agency signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    revision = signature.signed_revision
    # The end of the revision before the signature's: its %%EOF line.
    ends = []
    position = 0
    while (found := pdf.find(b"%%EOF", position)) != -1:
        end = found + 5
        while end < len(pdf) and pdf[end : end + 1] in (b"\r", b"\n"):
            end += 1
        ends.append(end)
        position = found + 5
    return pdf[: ends[revision - 1]]


def _third_party(args: list[str]) -> subprocess.CompletedProcess:
    """The offline verifier as a third party runs it: no Django, no settings, no database."""
    check = (
        "import sys; from result_verifier import cli; code = cli.main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'the verifier imported Django'; sys.exit(code)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-c", check, *args, "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def _page_verdict(client, pdf: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("results_store:verify_pdf"),
        {"pdf": SimpleUploadedFile("result.pdf", pdf, content_type="application/pdf")},
    )
    assert response.status_code == 200
    return response.context["verdict"]


def test_the_genuine_pdf_is_accepted_by_the_page_the_cli_and_the_third_party_verifier(
    genuine, published, client, tmp_path
):
    result, pdf = genuine
    path = tmp_path / "genuine.pdf"
    path.write_bytes(pdf)

    assert _page_verdict(client, pdf).status == "valid"
    for extra in ([], ["--root", str(published["root"])]):
        run = _third_party(
            ["--pdf", str(path), "--trust-list", str(published["trust_list"]), *extra]
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.startswith("Valid\n")
        assert result.number in run.stdout


def test_no_forged_pdf_is_accepted_by_the_page_the_cli_or_the_third_party_verifier(
    genuine, published, client, tmp_path
):
    result, pdf = genuine
    made = forgeries(result, pdf)
    assert len(made) == 6

    accepted = []
    for name, forged in made.items():
        assert forged != pdf
        path = tmp_path / "forged.pdf"
        path.write_bytes(forged)
        if _page_verdict(client, forged).status != "invalid":
            accepted.append(("page", name))
        run = _third_party(
            ["--pdf", str(path), "--trust-list", str(published["trust_list"]),
             "--root", str(published["root"])]
        )  # fmt: skip
        if run.returncode != 1 or not run.stdout.startswith("Not valid\n"):
            accepted.append(("third party", name, run.stdout, run.stderr))

    assert accepted == []


def test_a_verifier_that_pins_another_root_trusts_nothing_of_the_portal(
    genuine, published, tmp_path
):
    _result, pdf = genuine
    path = tmp_path / "genuine.pdf"
    path.write_bytes(pdf)
    other = tmp_path / "other-root.pem"
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another root")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    other.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    run = _third_party(
        ["--pdf", str(path), "--trust-list", str(published["trust_list"]), "--root", str(other)]
    )

    assert run.returncode == 1
    assert run.stdout.startswith("Not valid\n")


def _pdfsig(path: Path, nss: Path) -> str:
    return subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True
    ).stdout


@pytest.fixture
def nss_with_root(published, tmp_path) -> Path:
    """An NSS database, as a PDF reader keeps one, with the published root installed."""
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "portal-root", "-t", "C,C,C",
         "-i", str(published["root"])],
        check=True,
    )  # fmt: skip
    return nss


def test_pdfsig_reports_the_genuine_chain_as_trusted_once_the_root_is_installed(
    genuine, nss_with_root, tmp_path
):
    _result, pdf = genuine
    path = tmp_path / "genuine.pdf"
    path.write_bytes(pdf)

    report = _pdfsig(path, nss_with_root)

    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Total document signed" in report


def test_pdfsig_does_not_trust_a_pdf_re_signed_by_a_forger(genuine, nss_with_root, tmp_path):
    result, pdf = genuine
    path = tmp_path / "forged.pdf"
    path.write_bytes(
        forgeries(result, pdf)["re-signed with a look-alike of the agency's certificate"]
    )

    report = _pdfsig(path, nss_with_root)

    assert "Certificate Validation: Certificate is Trusted." not in report


def _qr_read_at_90_dpi(pdf: bytes, tmp_path: Path):
    """The one QR code zxing-cpp reads on page 1 rendered at 90 dpi, as a cheap scan would be."""
    path = tmp_path / "scanned.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
         str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    with Image.open(tmp_path / "page.png") as image:
        (code,) = zxingcpp.read_barcodes(image)
    return code


def test_the_qr_read_at_90_dpi_opens_the_verify_page_with_the_certified_facts(
    genuine, client, tmp_path
):
    result, pdf = genuine
    code = _qr_read_at_90_dpi(pdf, tmp_path)

    assert documents.token_qr(result.token).version <= 15
    link = urlsplit(code.text)
    assert link.scheme == "https" or code.text.upper().startswith("HTTP")
    response = client.get(link.path)

    assert response.status_code == 200
    verdict = response.context["verdict"]
    assert verdict.status == "valid"
    certified = dict(verdict.certified)
    assert certified["Họ, chữ đệm, tên"] == CHILD
    assert certified["Nơi sinh"] == "Bệnh viện Phụ sản - Nhi Đà Nẵng"
    assert certified["Họ, chữ đệm, tên người mẹ"] == "Trần Thị Bình"
    page = response.content.decode()
    assert CHILD in page and "Nguyễn Văn Cường" in page


def test_a_token_whose_certified_facts_were_changed_in_the_store_is_altered(genuine, client):
    result, _pdf = genuine
    facts = [list(fact) for fact in result.certified]
    facts[0][1] = "Lê Thị Giả"
    Result.objects.filter(pk=result.pk).update(certified=facts)

    response = client.get(reverse("results_store:verify"), {"t": result.token})

    assert response.context["verdict"].reason_code == "altered"


def test_contact_details_are_not_among_the_certified_facts(genuine):
    result, _pdf = genuine

    labels = [label for label, _value in result.certified]

    assert labels == [
        "Họ, chữ đệm, tên",
        "Ngày, tháng, năm sinh",
        "Giới tính",
        "Nơi sinh",
        "Họ, chữ đệm, tên người mẹ",
        "Họ, chữ đệm, tên người cha",
    ]
    facts = tokens.verify(result.token, lambda kid: keys.public_key(result.signing_key)).facts
    assert facts.certified_sha256 == tokens.certified_digest(result.certified)


def test_a_byte_changed_anywhere_in_the_file_is_refused_offline(genuine):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from result_verifier import trust
    from result_verifier import verdict as offline

    result, pdf = genuine
    published = trust.trust_list_load(json.dumps(keys.trust_list()).encode())
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    _start, contents_start, contents_end, _length = signature.byte_range
    # Across the file and the signature's contents, both ways; and one bit of
    # every character of the CMS envelope (content type, versions, digest
    # algorithms: parts the signature itself does not cover).
    spread = [*range(0, len(pdf), 997), *range(contents_start, contents_end, 131)]
    envelope = range(contents_start + 1, contents_start + 121)
    changes = [(position, change) for position in spread for change in (0x01, 0x20)]
    changes += [(position, 0x01) for position in envelope]
    assert offline.pdf_token_verdict(pdf, result.token, published.keys, published.roots).is_valid

    accepted = []
    for position, change in changes:  # a bit, or the case of a letter
        tampered = bytearray(pdf)
        tampered[position] ^= change
        verdict = offline.pdf_token_verdict(
            bytes(tampered), result.token, published.keys, published.roots
        )
        if not verdict.is_invalid:
            accepted.append((position, change, pdf[position - 40 : position + 20]))

    assert len(changes) > 300
    assert accepted == [], signature.byte_range


def test_the_largest_qr_code_still_reads_at_90_dpi(media_root, tmp_path):
    agency = AgencyFactory(name="Ủy ban nhân dân phường Hòa Khánh Bắc", code="000.05.00.H15")
    officer = UserFactory()
    Membership.objects.create(user=officer, agency=agency, role=MembershipRole.OFFICER)
    result = issue_result(
        result_type=ResultTypeFactory(
            code="KQ.G15.000038", name="Giấy xác nhận", validity_months=6
        ),
        agency=agency,
        holder_national_id="048190001234",
        holder_name="Tôn Nữ Hoàng Thị Phương Thảo Nguyên Khánh Linh Ngọc Diệp",
        issued_on=dt.date(2026, 3, 9),
        number="12345/2026/QĐ-UBND-HKB-XNTTHN",
        data={"Tình trạng hôn nhân hiện tại": "Chưa kết hôn", "Mục đích sử dụng": "Kết hôn"},
        actor=officer,
    )
    services.result_sign(result.pk)
    result.refresh_from_db()
    with default_storage.open(result.pdf.name, "rb") as file:
        code = _qr_read_at_90_dpi(file.read(), tmp_path)

    assert documents.token_qr(result.token).version >= 14
    assert documents.token_qr(result.token).version <= 15
    assert tokens.binary_of(code.text) == tokens.binary_of(result.token)
