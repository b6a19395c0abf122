"""Signing keys: generated on the server, private parts encrypted at rest.

Each agency signs with its newest active key; retired keys stay to verify what
they signed. Private keys are encrypted with Fernet under
SIGNING_KEYS_ENCRYPTION_KEY (from the environment); in development, when it is
unset, a key derived from SECRET_KEY is used and the deploy checks refuse it.
"""

import base64
import datetime as dt
import hashlib
from functools import cache

from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from procedures.models import Agency
from results_store.models import SigningKey

PDF_CERTIFICATE_YEARS = 10


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fernet() -> Fernet:
    configured = settings.SIGNING_KEYS_ENCRYPTION_KEY
    if configured:
        return Fernet(configured.encode())
    return _development_fernet(settings.SECRET_KEY)


@cache
def _development_fernet(secret: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal signing keys"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _encrypt(data: bytes) -> str:
    return _fernet().encrypt(data).decode()


def _decrypt(token: str) -> bytes:
    return _fernet().decrypt(token.encode())


def key_id_for(public_bytes: bytes) -> str:
    """The first 8 bytes of the public key's SHA-256, as the EU DCC derives its kid."""
    return b64url(hashlib.sha256(public_bytes).digest()[:8])


def _pdf_certificate(agency: Agency | None, key: ec.EllipticCurvePrivateKey) -> str:
    name = agency.name if agency else str(settings.PORTAL_NAME)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, settings.PORTAL_CITY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * PDF_CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@transaction.atomic
def signing_key_generate(*, agency: Agency | None) -> SigningKey:
    """A new active key for the agency; its previous key retires but keeps verifying."""
    SigningKey.objects.filter(agency=agency, is_active=True).update(
        is_active=False, retired_at=timezone.now()
    )
    private = Ed25519PrivateKey.generate()
    public_bytes = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pdf_key = ec.generate_private_key(ec.SECP256R1())
    return SigningKey.objects.create(
        kid=key_id_for(public_bytes),
        agency=agency,
        public_key=b64url(public_bytes),
        private_key_encrypted=_encrypt(
            private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        ),
        pdf_certificate=_pdf_certificate(agency, pdf_key),
        pdf_private_key_encrypted=_encrypt(
            pdf_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )


def active_signing_key(agency: Agency | None) -> SigningKey:
    """The key that signs for the agency now, generated on first use."""
    key = SigningKey.objects.filter(agency=agency, is_active=True).first()
    return key or signing_key_generate(agency=agency)


def private_key(signing_key: SigningKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decrypt(signing_key.private_key_encrypted))


def public_key(signing_key: SigningKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(signing_key.public_key))


def pdf_private_key_pem(signing_key: SigningKey) -> bytes:
    return _decrypt(signing_key.pdf_private_key_encrypted)


def jwk(signing_key: SigningKey) -> dict:
    """The public key as a JSON Web Key (RFC 7517, OKP per RFC 8037)."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": signing_key.public_key,
        "kid": signing_key.kid,
        "use": "sig",
        "alg": "EdDSA",
    }


def jwks() -> dict:
    """Every key that signed or signs, so old results keep verifying offline."""
    return {"keys": [jwk(key) for key in SigningKey.objects.order_by("created_at", "id")]}
