"""Signing keys and the portal's root certificate authority that vouches for them.

The root CA (ECDSA P-256) certifies, for each agency, a token key (Ed25519,
role `results`, signs QR tokens) and a PDF key (ECDSA P-256, signs PAdES), and
for the portal a token key of role `status_list` (signs the status list); see
result_verifier/trust.py for what the certificates say and how verifiers use
them. Each agency signs with its newest active key; retired keys stay to
verify what they signed.

Private keys are encrypted with Fernet under SIGNING_KEYS_ENCRYPTION_KEY (from
the environment); in development, when it is unset, a key derived from
SECRET_KEY is used and the deploy checks refuse it. The root's private key may
be exported (encrypted with a passphrase) and removed from the database, so
that it lives offline; certifying a new key then needs that file
(`manage.py signing_keys … --root-key`). All keys are created at migrate and by
`manage.py signing_keys ensure`, never during a request.
"""

import base64
import datetime as dt
import logging
from functools import cache

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from procedures.models import Agency
from result_verifier import trust
from result_verifier.trust import b64url, b64url_decode, key_id_for
from results_store.models import CertificateAuthority, SigningKey

logger = logging.getLogger(__name__)

__all__ = ["b64url", "b64url_decode", "key_id_for"]

ROOT_YEARS = 25
CERTIFICATE_YEARS = 10


class RootKeyOffline(RuntimeError):
    """The root's private key is not in the database: certifying needs its exported file."""


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


def unreadable_active_keys() -> list[str]:
    """Ids of active keys (and the root, if its key is here) the configured key cannot open."""
    unreadable = []
    for signing_key in SigningKey.objects.filter(is_active=True):
        try:
            _decrypt(signing_key.private_key_encrypted)
        except InvalidToken:
            unreadable.append(signing_key.kid)
    authority = root_active()
    if authority is not None and not authority.key_is_offline:
        try:
            _decrypt(authority.private_key_encrypted)
        except InvalidToken:
            unreadable.append(f"root {authority.fingerprint[:16]}")
    return unreadable


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _pkcs8(key, encryption=None) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        encryption or serialization.NoEncryption(),
    )


def _portal_name() -> str:
    # Certificates are read by Vietnamese PDF readers and verifiers.
    with translation.override("vi"):
        return str(settings.PORTAL_NAME)


def _usage(*, sign: bool = False, certify: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certify,
        crl_sign=certify,
        encipher_only=False,
        decipher_only=False,
    )


# --------------------------------------------------------------------------
# The root
# --------------------------------------------------------------------------


def root_active() -> CertificateAuthority | None:
    return CertificateAuthority.objects.filter(is_active=True).first()


def root_certificate(authority: CertificateAuthority) -> x509.Certificate:
    return x509.load_pem_x509_certificate(authority.certificate.encode("ascii"))


@transaction.atomic
def root_create() -> CertificateAuthority:
    """A new active root; the previous one retires but stays published, and every
    active signing key is certified again under the new root."""
    previous = root_active()
    CertificateAuthority.objects.filter(is_active=True).update(
        is_active=False, retired_at=timezone.now()
    )
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, settings.PORTAL_CITY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _name(_portal_name())),
            x509.NameAttribute(
                NameOID.COMMON_NAME, _name(f"Root CA {now:%Y-%m} – {_portal_name()}")
            ),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(certify=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    authority = CertificateAuthority.objects.create(
        name=name.rfc4514_string()[:200],
        certificate=_pem(certificate),
        fingerprint=trust.fingerprint(certificate),
        private_key_encrypted=_encrypt(_pkcs8(key)),
    )
    # The first root also certifies keys made before there was one, retired
    # ones included, so their results keep verifying offline.
    existing = SigningKey.objects.select_related("agency")
    for signing_key in existing.filter(is_active=True) if previous else existing:
        _certify(signing_key, authority=authority, root_key=key)
        signing_key.save()
    return authority


def root_private_key(
    authority: CertificateAuthority, *, root_key: ec.EllipticCurvePrivateKey | None = None
) -> ec.EllipticCurvePrivateKey:
    """The root's key: given (read from its exported file), or from the database."""
    if root_key is not None:
        if root_key.public_key() != root_certificate(authority).public_key():
            raise RootKeyOffline("The key given is not the active root's key.")
        return root_key
    if not authority.private_key_encrypted:
        raise RootKeyOffline(
            "The root's private key is kept offline; pass its exported file with --root-key."
        )
    try:
        pem = _decrypt(authority.private_key_encrypted)
    except InvalidToken as error:
        raise RootKeyOffline(
            "The root's private key was encrypted under another SIGNING_KEYS_ENCRYPTION_KEY."
        ) from error
    return serialization.load_pem_private_key(pem, None)


def root_export(authority: CertificateAuthority, *, passphrase: bytes) -> bytes:
    """The root's private key as PKCS#8 PEM, encrypted with the passphrase (AES-256)."""
    key = root_private_key(authority)
    return _pkcs8(key, serialization.BestAvailableEncryption(passphrase))


def root_key_load(pem: bytes, *, passphrase: bytes) -> ec.EllipticCurvePrivateKey:
    return serialization.load_pem_private_key(pem, passphrase)


def root_forget_key(authority: CertificateAuthority) -> None:
    """Remove the root's private key from the database (after exporting it)."""
    CertificateAuthority.objects.filter(pk=authority.pk).update(private_key_encrypted="")


# --------------------------------------------------------------------------
# Certificates of the signing keys
# --------------------------------------------------------------------------


def _name(text: str) -> str:
    """X.520 caps names at 64 (cryptography counts UTF-8 bytes); the agency's code is in full."""
    if len(text.encode()) <= 64:
        return text
    while len(text.encode()) > 61:
        text = text[:-1]
    return text.rstrip() + "…"


def _subject(agency: Agency | None, purpose: str) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, settings.PORTAL_CITY),
        x509.NameAttribute(
            NameOID.ORGANIZATION_NAME, _name(agency.name if agency else _portal_name())
        ),
    ]
    if agency is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency.code))
    # PDF readers show the PDF certificate's common name as the signer: the agency's name.
    name = agency.name if agency else _portal_name()
    common_name = name if purpose == "PDF" else f"{name} – {purpose}"
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _name(common_name)))
    return x509.Name(attributes)


def _issue(
    *,
    public_key,
    subject: x509.Name,
    role: str | None,
    root: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
) -> str:
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(
            min(now + dt.timedelta(days=365 * CERTIFICATE_YEARS), root.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()), critical=False
        )
    )
    if role is not None:
        # Only the portal's verifiers know these usages; marking the extension
        # critical would make other software refuse the certificate outright.
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([trust.ROLE_OIDS[role]]), critical=False
        )
    return _pem(builder.sign(root_key, hashes.SHA256()))


def _certify(
    signing_key: SigningKey,
    *,
    authority: CertificateAuthority,
    root_key: ec.EllipticCurvePrivateKey,
    pdf_public_key=None,
) -> None:
    """(Re)issue the key's certificates under the given root, from public parts only."""
    root = root_certificate(authority)
    signing_key.authority = authority
    signing_key.token_certificate = _issue(
        public_key=public_key(signing_key),
        subject=_subject(signing_key.agency, "mã QR"),
        role=signing_key.role,
        root=root,
        root_key=root_key,
    )
    if signing_key.agency_id:
        if pdf_public_key is None:
            pdf_public_key = x509.load_pem_x509_certificate(
                signing_key.pdf_certificate.encode("ascii")
            ).public_key()
        signing_key.pdf_certificate = _issue(
            public_key=pdf_public_key,
            subject=_subject(signing_key.agency, "PDF"),
            role=None,
            root=root,
            root_key=root_key,
        )


@transaction.atomic
def signing_key_generate(
    *, agency: Agency | None, root_key: ec.EllipticCurvePrivateKey | None = None
) -> SigningKey:
    """A new active, certified key for the agency (None: the portal's status-list key).

    Its previous key retires but keeps verifying what it signed.
    """
    authority = root_active() or root_create()
    signing_root_key = root_private_key(authority, root_key=root_key)
    SigningKey.objects.filter(agency=agency, is_active=True).update(
        is_active=False, retired_at=timezone.now()
    )
    private = Ed25519PrivateKey.generate()
    public_bytes = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signing_key = SigningKey(
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
    )
    pdf_public_key = None
    if agency is not None:
        pdf_key = ec.generate_private_key(ec.SECP256R1())
        signing_key.pdf_private_key_encrypted = _encrypt(_pkcs8(pdf_key))
        pdf_public_key = pdf_key.public_key()
    _certify(
        signing_key, authority=authority, root_key=signing_root_key, pdf_public_key=pdf_public_key
    )
    signing_key.save()
    return signing_key


def signing_keys_ensure(*, root_key: ec.EllipticCurvePrivateKey | None = None) -> list[SigningKey]:
    """The root, the portal's key and a key for every agency that has none: what is missing."""
    if root_active() is None:
        root_create()
    created = []
    if not SigningKey.objects.filter(agency=None, is_active=True).exists():
        created.append(signing_key_generate(agency=None, root_key=root_key))
    for agency in Agency.objects.exclude(signing_keys__is_active=True).order_by("id"):
        created.append(signing_key_generate(agency=agency, root_key=root_key))
    return created


def active_signing_key(agency: Agency | None) -> SigningKey:
    """The key that signs for the agency now.

    Keys are made at migrate and when an agency is added; a key missing here
    (an agency added while the root key was offline) is made now if it can be.
    """
    key = SigningKey.objects.filter(agency=agency, is_active=True).first()
    return key or signing_key_generate(agency=agency)


def private_key(signing_key: SigningKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decrypt(signing_key.private_key_encrypted))


def public_key(signing_key: SigningKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(signing_key.public_key))


def pdf_private_key_pem(signing_key: SigningKey) -> bytes:
    return _decrypt(signing_key.pdf_private_key_encrypted)


# --------------------------------------------------------------------------
# What is published
# --------------------------------------------------------------------------


def _der_b64(pem: str) -> str:
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def jwk(signing_key: SigningKey) -> dict:
    """The public key as a JSON Web Key (RFC 7517, OKP per RFC 8037), with its chain.

    `x5c` is the key's certificate and the root that issued it; `role` and
    `agency` repeat what the certificate states, for reading: verifiers take
    them from the certificate.
    """
    entry = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": signing_key.public_key,
        "kid": signing_key.kid,
        "use": "sig",
        "alg": "EdDSA",
        "role": signing_key.role,
    }
    if signing_key.agency_id:
        entry["agency"] = {"code": signing_key.agency.code, "name": signing_key.agency.name}
    if signing_key.token_certificate and signing_key.authority_id:
        entry["x5c"] = [
            _der_b64(signing_key.token_certificate),
            _der_b64(signing_key.authority.certificate),
        ]
    return entry


def _published_keys():
    return SigningKey.objects.select_related("agency", "authority").order_by("created_at", "id")


def jwks() -> dict:
    """Every key that signed or signs, so old results keep verifying offline."""
    return {"keys": [jwk(key) for key in _published_keys()]}


def trust_list() -> dict:
    """The roots, and every key with its certificates: all an offline verifier needs."""
    roots = CertificateAuthority.objects.order_by("created_at", "id")
    keys = []
    for signing_key in _published_keys():
        entry = jwk(signing_key)
        entry["active"] = signing_key.is_active
        entry["created"] = signing_key.created_at.isoformat()
        if signing_key.retired_at:
            entry["retired"] = signing_key.retired_at.isoformat()
        if signing_key.pdf_certificate:
            entry["pdf_certificate"] = signing_key.pdf_certificate
        keys.append(entry)
    return {
        "issuer": settings.PORTAL_BASE_URL,
        "roots": [
            {
                "certificate": root.certificate,
                "sha256": root.fingerprint,
                "active": root.is_active,
                "created": root.created_at.isoformat(),
            }
            for root in roots
        ],
        "keys": keys,
    }


def roots_pem() -> str:
    """Every root, active and retired, as one PEM file to install in PDF readers."""
    return "".join(root.certificate for root in CertificateAuthority.objects.order_by("created_at"))
