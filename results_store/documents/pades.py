"""Revision 2 of a result's PDF: the agency's PAdES signature (ECDSA P-256) over the whole file.

pyHanko is imported inside the functions: processes that never sign should
not pay for the import.
"""

import io

from django.conf import settings

from result_verifier.pdf import content_revision
from results_store.documents.qr import stamp_qr

SIGNATURE_FIELD = "Signature1"
SIGNATURE_REASON = "Ký số kết quả giải quyết thủ tục hành chính"


def _pdf_signer(signing_key):
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from results_store import keys

    certificate = _certificate(signing_key.pdf_certificate)
    root = _certificate(signing_key.authority.certificate) if signing_key.authority_id else None
    if certificate is None or root is None:
        raise ValueError(f"The signing key {signing_key.kid} has no certified PDF certificate.")
    # The root travels in the signature, so PDF readers that trust it build the chain.
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=load_private_key_from_pemder_data(
            keys.pdf_private_key_pem(signing_key), passphrase=None
        ),
        cert_registry=SimpleCertificateStore.from_certs([certificate, root]),
    )


def sign_pdf(pdf: bytes, *, signing_key) -> bytes:
    """Revision 2: the agency's PAdES signature over the whole file (invisible)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNATURE_REASON,
        location=settings.PORTAL_CITY,
    )
    output = signers.sign_pdf(writer, metadata, signer=_pdf_signer(signing_key))
    return output.getvalue()


def stamp_and_sign_pdf(content: bytes, *, token: str, signing_key) -> bytes:
    """The final PDF: revision 0 (`content`) untouched, the QR code, the PAdES signature."""
    final = sign_pdf(stamp_qr(content, token=token), signing_key=signing_key)
    # What the token signs must stay recoverable from the final file.
    if content_revision(final) != content:
        raise ValueError("The signed PDF does not begin with the rendered document.")
    return final


def _certificate(pem: str):
    """The one certificate of a PEM text (asn1crypto), or None."""
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        certificates = list(load_certs_from_pemder_data((pem or "").encode("ascii")))
    except (ValueError, TypeError, UnicodeEncodeError):
        return None
    return certificates[0] if len(certificates) == 1 else None
