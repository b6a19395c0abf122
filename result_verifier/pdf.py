"""Checking a result's PDF: its PAdES signature against the trust list, and its QR code.

A genuine result PDF is three revisions (results_store/documents/): the
document, the QR code of its token, and the agency's PAdES signature over the
whole file. A PDF is accepted only if

* its last signature is cryptographically intact, made with a certificate
  that the portal's root issued to an agency (no other roots are trusted),
* that signature covers the entire file: nothing was appended after it
  (an appended revision can paint anything over the page),
* and the caller then checks the QR token against the first revision's hash
  and the signer's agency (see result_verifier/verdict.py).

This module imports nothing of Django; pyHanko and zxing-cpp are imported
inside the functions, so that importing it costs nothing.
"""

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from result_verifier import tokens, trust

# Revision 0 ends with its trailer: "startxref", the offset, "%%EOF" and the
# end of that line. Anchoring on "startxref" keeps a chance "%%EOF" inside a
# compressed stream from being taken for the end of the revision.
_FIRST_REVISION_END = re.compile(rb"startxref[\r\n\t ]+\d+[\r\n\t ]+%%EOF(\r\n|\r|\n)?")
RASTER_DPI = 200
RASTER_MAX_PAGES = 10


def content_revision(pdf: bytes) -> bytes:
    """The bytes of revision 0: up to its first "%%EOF" and the end of that line.

    Raises ValueError for bytes that have no PDF trailer.
    """
    match = _FIRST_REVISION_END.search(pdf)
    if match is None:
        raise ValueError("Not a PDF: no end-of-file marker.")
    return pdf[: match.end()]


@dataclass(frozen=True)
class PdfSignatureCheck:
    """What a PDF's last PAdES signature says, checked against the trusted roots.

    `intact` holds only when the signature is cryptographically sound, covers
    the whole file, and its certificate is a document-signing certificate that
    a trusted root issued; `agency_code` is then the agency it names.
    """

    signed: bool
    intact: bool
    agency_code: str = ""
    signer: str = ""
    problems: tuple[str, ...] = ()


def _asn1(certificate: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _der_length(data: bytes) -> int:
    """The length of the DER element at the start of `data` (0 if it is not one)."""
    if len(data) < 2 or data[0] != 0x30:
        return 0
    if data[1] < 0x80:
        return 2 + data[1]
    size = data[1] & 0x7F
    if size == 0 or size > 4 or len(data) < 2 + size:
        return 0
    return 2 + size + int.from_bytes(data[2 : 2 + size], "big")


def _canonical(der: bytes) -> bool:
    """Whether the CMS parses strictly, encodes back to the same bytes (DER is unique),
    and is in the portal's profile in every part the signature does not cover."""
    from asn1crypto import cms

    try:
        content = cms.ContentInfo.load(der, strict=True)
        if content.dump(force=True) != der:
            return False
        return _in_profile(content)
    except Exception:  # asn1crypto raises many kinds of errors on damaged input
        return False


def _in_profile(content) -> bool:
    """The unsigned parts of a PAdES signature as the portal writes them.

    The content type, the version, the list of digest algorithms and the
    signer's unsigned attributes are outside what the signature signs; a
    verifier that ignores them would accept a file changed there.
    """
    if content["content_type"].native != "signed_data":
        return False
    signed_data = content["content"]
    (signer,) = signed_data["signer_infos"]
    digests = [algorithm["algorithm"].native for algorithm in signed_data["digest_algorithms"]]
    encapsulated = signed_data["encap_content_info"]
    return (
        signed_data["version"].native == "v1"
        and digests == [signer["digest_algorithm"]["algorithm"].native] == ["sha256"]
        and encapsulated["content_type"].native == "data"
        and encapsulated["content"].native is None
        and signer["version"].native == "v1"
        and not signer["unsigned_attrs"].native
        and not signed_data["crls"].native
    )


def _contents_problems(pdf: bytes, signature, roots: list[x509.Certificate]) -> list[str]:
    """What was changed in the signature's /Contents, which the signature cannot cover.

    The signature value is left out of what it signs, so a verifier must check
    it is exactly what a signer writes: upper-case hex of one DER object, zero
    padding after it, and no certificate in it but the signer's and the roots'.
    """
    _start, end_of_first, start_of_second, _length = signature.byte_range
    gap = pdf[end_of_first:start_of_second]
    if not re.fullmatch(rb"<[0-9A-F]+>", gap):
        return ["the signature's contents are not in the form a signer writes"]
    raw = bytes.fromhex(gap[1:-1].decode("ascii"))
    length = _der_length(raw)
    if not length or length > len(raw) or any(raw[length:]) or not _canonical(raw[:length]):
        return ["the signature's contents were changed"]
    allowed = {signature.signer_cert.dump()} | {
        root.public_bytes(serialization.Encoding.DER) for root in roots
    }
    certificates = signature.signed_data["certificates"]
    if any(choice.chosen.dump() not in allowed for choice in certificates or []):
        return ["the signature carries a certificate that is neither the signer's nor a root"]
    return []


def pdf_signature_check(pdf: bytes, *, roots: list[x509.Certificate]) -> PdfSignatureCheck:
    """Validate the PDF's last signature, trusting only `roots`."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko reports a malformed file in many ways
        return PdfSignatureCheck(signed=False, intact=False, problems=(f"unreadable: {exc}",))
    if not signatures:
        return PdfSignatureCheck(signed=False, intact=False, problems=("no signature",))
    signature = signatures[-1]
    context = ValidationContext(
        trust_roots=[_asn1(root) for root in roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
        signer_der = signature.signer_cert.dump()
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return PdfSignatureCheck(signed=True, intact=False, problems=(f"invalid: {exc}",))
    except Exception as exc:  # a damaged signature can fail deep inside the CMS code
        return PdfSignatureCheck(signed=True, intact=False, problems=(f"invalid: {exc}",))
    problems = []
    if not (status.intact and status.valid):
        problems.append("the signed bytes changed")
    if not status.trusted:
        problems.append("the signing certificate is not issued by a trusted root")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("the signature does not cover the whole file")
    if len(signatures) != 1:
        problems.append("more than one signature")
    problems += _contents_problems(pdf, signature, roots)
    certificate = x509.load_der_x509_certificate(signer_der)
    # pyHanko's path building found a chain; check again with the roots given,
    # directly, and that it is a document-signing certificate of an agency.
    if trust.issuing_root(certificate, roots) is None:
        problems.append("the signing certificate is not issued by a trusted root")
    if not trust.is_document_signing(certificate):
        problems.append("the signing certificate is not for documents")
    agency_code, agency_name = trust.certificate_agency(certificate)
    if not agency_code:
        problems.append("the signing certificate names no agency")
    return PdfSignatureCheck(
        signed=True,
        intact=not problems,
        agency_code=agency_code if not problems else "",
        signer=agency_name,
        problems=tuple(dict.fromkeys(problems)),
    )


def tokens_in_pdf(pdf: bytes) -> list[str]:
    """The result codes (token text or verification link) read from the PDF's pages as images.

    Needs pdftoppm (poppler-utils) and zxing-cpp.
    """
    import zxingcpp
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise RuntimeError("Reading the QR code of a PDF needs pdftoppm (poppler-utils).")
    found = []
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "result.pdf"
        source.write_bytes(pdf)
        prefix = Path(directory) / "page"
        command = ["pdftoppm", "-png", "-r", str(RASTER_DPI), "-l", str(RASTER_MAX_PAGES)]
        subprocess.run(
            [*command, str(source), str(prefix)], check=False, capture_output=True, timeout=120
        )
        for page in sorted(Path(directory).glob("page*.png")):
            with Image.open(page) as image:
                for code in zxingcpp.read_barcodes(image):
                    try:
                        tokens.binary_of(code.text)
                    except tokens.TokenError:
                        continue
                    found.append(code.text)
    return found
