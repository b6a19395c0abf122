"""The trust chain: the portal's root certificate authority, and what it vouches for.

The portal's root CA (ECDSA P-256) certifies every key that signs:

* an agency's token key (Ed25519), role `results`: it signs the QR tokens of
  that agency's results, and nothing else;
* an agency's PDF key (ECDSA P-256, which PDF readers support): it makes the
  PAdES signature of that agency's result files;
* the portal's own token key, role `status_list`: it signs the list of revoked
  and superseded results, and never a result.

A token key's certificate names the agency by its code (subject
organizationIdentifier) and the key's role (an extended key usage). A
verifier installs the root once (checking its fingerprint out of band) and
trusts a published key only if its certificate chains to that root and was
valid when the key signed; the role and the agency then come from the
certificate, never from the key set's own words. The published trust list
(`/.well-known/result-trust-list.json`) holds the roots and every key with its
certificates. This module imports nothing of Django, so that third parties can
run it offline (see result_verifier/README.md).
"""

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID

ROLE_RESULTS = "results"
ROLE_STATUS_LIST = "status_list"
# Extended key usages of the token keys' certificates, under the UUID arc
# (ITU-T X.667: anyone may mint an OID from a random UUID).
ROLE_OIDS = {
    ROLE_RESULTS: x509.ObjectIdentifier("2.25.186316104113436357045006457498380722493"),
    ROLE_STATUS_LIST: x509.ObjectIdentifier("2.25.230941937547719209004389232432919411087"),
}
ROLES_BY_OID = {oid: role for role, oid in ROLE_OIDS.items()}
TRUST_LIST_MAX_BYTES = 5 * 1024 * 1024


class TrustError(ValueError):
    pass


@dataclass(frozen=True)
class TrustedKey:
    """A published token key whose certificate chains to a trusted root."""

    kid: str
    role: str
    agency_code: str  # "" for the portal's status-list key
    agency_name: str
    public_key: Ed25519PublicKey
    certificate: x509.Certificate

    def valid_at(self, moment: dt.datetime) -> bool:
        return valid_at(self.certificate, moment)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_for(public_bytes: bytes) -> str:
    """The first 8 bytes of the public key's SHA-256, as the EU DCC derives its kid."""
    return b64url(hashlib.sha256(public_bytes).digest()[:8])


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, in hex: what a verifier compares out of band."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def certificates_from_pem(data: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as error:
        raise TrustError(f"not PEM certificates: {error}") from error


def certificate_from_der_b64(text: str) -> x509.Certificate:
    """A certificate as JWK `x5c` carries it: standard base64 of the DER (RFC 7517 4.7)."""
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as error:
        raise TrustError(f"not a certificate: {error}") from error


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def valid_at(certificate: x509.Certificate, moment: dt.datetime) -> bool:
    moment = _utc(moment)
    return certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def issuing_root(
    certificate: x509.Certificate, roots: list[x509.Certificate]
) -> x509.Certificate | None:
    """The root among `roots` that signed this end-entity certificate, if any."""
    if _is_ca(certificate):
        return None
    for root in roots:
        if certificate.issuer != root.subject or not _is_ca(root):
            continue
        try:
            certificate.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return root
    return None


def _name_attribute(name: x509.Name, oid) -> str:
    attributes = name.get_attributes_for_oid(oid)
    return str(attributes[0].value) if attributes else ""


def certificate_agency(certificate: x509.Certificate) -> tuple[str, str]:
    """(agency code, agency name) as the certificate's subject states them."""
    subject = certificate.subject
    return (
        _name_attribute(subject, NameOID.ORGANIZATION_IDENTIFIER),
        _name_attribute(subject, NameOID.ORGANIZATION_NAME),
    )


def certificate_role(certificate: x509.Certificate) -> str:
    """The token role the certificate grants, or "" (PDF certificates have none)."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ""
    roles = {ROLES_BY_OID[oid] for oid in usages if oid in ROLES_BY_OID}
    return roles.pop() if len(roles) == 1 else ""


def is_document_signing(certificate: x509.Certificate) -> bool:
    """A PDF certificate: an end entity with non-repudiation and no token role."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return (
        usage.digital_signature and usage.content_commitment and not certificate_role(certificate)
    )


def trusted_key(jwk: dict, roots: list[x509.Certificate]) -> TrustedKey:
    """A key of a JWK Set, trusted only through its certificate (`x5c[0]`)."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise TrustError("not an Ed25519 key")
    chain = jwk.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise TrustError("the key has no certificate")
    certificate = certificate_from_der_b64(chain[0])
    if issuing_root(certificate, roots) is None:
        raise TrustError("the key's certificate is not issued by a trusted root")
    public_key = certificate.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise TrustError("the certificate is not for an Ed25519 key")
    public_bytes = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    if jwk.get("x") != b64url(public_bytes):
        raise TrustError("the key differs from its certificate's")
    kid = key_id_for(public_bytes)
    if jwk.get("kid") != kid:
        raise TrustError("the key id is not the key's")
    role = certificate_role(certificate)
    agency_code, agency_name = certificate_agency(certificate)
    if role not in ROLE_OIDS or (role == ROLE_RESULTS) != bool(agency_code):
        raise TrustError("the certificate grants no role")
    return TrustedKey(
        kid=kid,
        role=role,
        agency_code=agency_code if role == ROLE_RESULTS else "",
        agency_name=agency_name,
        public_key=public_key,
        certificate=certificate,
    )


def trusted_keys(jwks: dict, roots: list[x509.Certificate]) -> dict[str, TrustedKey]:
    """The keys of a JWK Set or trust list that the roots vouch for, by kid; no others."""
    found = {}
    for jwk in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        try:
            key = trusted_key(jwk, roots)
        except TrustError:
            continue
        found[key.kid] = key
    return found


@dataclass(frozen=True)
class TrustList:
    roots: list[x509.Certificate]
    keys: dict[str, TrustedKey]


def trust_list_load(
    data: bytes, *, pinned_roots: list[x509.Certificate] | None = None
) -> TrustList:
    """Read a saved trust list. With `pinned_roots` (installed by the verifier), only they count.

    Without them, the roots the list itself publishes are used: as good as the
    channel the list came through (the portal's HTTPS address). A verifier that
    installs the root once, after comparing its fingerprint, does not depend on it.
    """
    if len(data) > TRUST_LIST_MAX_BYTES:
        raise TrustError("the trust list is too large")
    try:
        document = json.loads(data)
    except ValueError as error:
        raise TrustError(f"not JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("roots"), list):
        raise TrustError("not a trust list")
    published = []
    for entry in document["roots"]:
        if isinstance(entry, dict) and isinstance(entry.get("certificate"), str):
            published += certificates_from_pem(entry["certificate"].encode("ascii", "replace"))
    roots = [root for root in (published if pinned_roots is None else pinned_roots) if _is_ca(root)]
    if not roots:
        raise TrustError("no root certificate to trust")
    return TrustList(roots=roots, keys=trusted_keys(document, roots))
