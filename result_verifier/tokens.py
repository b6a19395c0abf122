"""The QR token: COSE_Sign1 (RFC 9052) over a CWT-style CBOR payload, as the EU DCC does.

One binary token, zlib(COSE_Sign1), has two written forms:

    text  "VN1:" + base45(token)                         pasted, or read by verifier apps
    link  "HTTPS://<portal>/V/" + digits(token)          what the printed QR code holds

The link opens the verification page when a phone camera reads the code; its
digits are the token's bytes in 7-byte groups of 17 decimal digits, which QR
codes store in numeric mode (3.3 bits a digit), denser than base45 in
alphanumeric mode. The payload's claims and sizes are described in
docs/adr/0006-result-token-format.md. Verification needs only the token and
the published keys, so it works offline; this module imports nothing of Django.
"""

import datetime as dt
import hashlib
import unicodedata
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TOKEN_PREFIX = "VN1:"
# The link's path: short, and in capitals so that the whole prefix of the link
# fits the QR alphanumeric mode.
LINK_PATH = "/V/"
COSE_ALG_EDDSA = -8
COSE_HEADER_ALG = 1
COSE_HEADER_KID = 4
COSE_SIGN1_TAG = 18
# CWT claims (RFC 8392) and the portal's private claim holding the result.
CLAIM_ISSUER = 1
CLAIM_EXPIRES = 4
CLAIM_ISSUED_AT = 6
CLAIM_RESULT = -70001

# A token the portal issues is about 450 bytes and inflates to about 600; the
# caps leave room for longer names and facts while keeping what an attacker
# can make the verifier do small.
MAX_TOKEN_BYTES = 2700
MAX_TOKEN_LENGTH = 4000
MAX_COSE_BYTES = 16 * 1024
MAX_CBOR_DEPTH = 8

_GROUP_BYTES = 7
_GROUP_DIGITS = 17  # 256**7 - 1 has 17 digits
_DIGITS_FOR_BYTES = {size: len(str(256**size - 1)) for size in range(1, _GROUP_BYTES + 1)}
_BYTES_FOR_DIGITS = {digits: size for size, digits in _DIGITS_FOR_BYTES.items()}


class TokenError(ValueError):
    """A token that cannot be trusted. `code`: format, unknown_key or signature."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class ResultFacts:
    """What a token states about a result, in plain Python values."""

    result_id: uuid.UUID
    number: str
    result_type_code: str
    holder_name: str
    holder_national_id: str
    issued_on: dt.date
    issuer_code: str
    content_sha256: str
    issuer_name: str = ""
    valid_until: dt.date | None = None
    digitized: bool = False
    # SHA-256 of what the printed document certifies (`certified_digest`):
    # for a birth certificate the child's name, date and place of birth, the
    # parents. A printout with other facts than these is not this result.
    certified_sha256: str = ""


@dataclass(frozen=True)
class VerifiedToken:
    kid: str
    facts: ResultFacts
    signed_at: dt.datetime


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())


def payload_for(facts: ResultFacts, *, signed_at: dt.datetime) -> dict:
    claims = {
        CLAIM_ISSUER: facts.issuer_code,
        CLAIM_ISSUED_AT: int(signed_at.timestamp()),
        CLAIM_RESULT: {
            "id": facts.result_id.bytes,
            "n": facts.number,
            "t": facts.result_type_code,
            "h": facts.holder_name,
            "c": facts.holder_national_id,
            "d": facts.issued_on.isoformat(),
            "s": bytes.fromhex(facts.content_sha256),
        },
    }
    # The issuer's name is in the trust list, under its code: not repeated here.
    if facts.certified_sha256:
        claims[CLAIM_RESULT]["f"] = bytes.fromhex(facts.certified_sha256)
    if facts.valid_until:
        claims[CLAIM_EXPIRES] = _epoch(facts.valid_until)
        claims[CLAIM_RESULT]["v"] = facts.valid_until.isoformat()
    if facts.digitized:
        claims[CLAIM_RESULT]["z"] = True
    return claims


def certified_digest(facts: list[tuple[str, str]]) -> str:
    """SHA-256 (hex) of certified facts in their canonical form.

    The form is the CBOR array of [label, value] text pairs in print order,
    each text NFC-normalized and stripped, so that a verifier who has the
    facts (the verification page, or the PDF's text) gets the same digest.
    """
    canonical = [
        [
            unicodedata.normalize("NFC", str(label)).strip(),
            unicodedata.normalize("NFC", str(value)).strip(),
        ]
        for label, value in facts
    ]
    return hashlib.sha256(cbor2.dumps(canonical)).hexdigest()


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(facts: ResultFacts, *, kid: str, key: Ed25519PrivateKey, signed_at: dt.datetime) -> str:
    """The token in its text form."""
    protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_EDDSA, COSE_HEADER_KID: kid.encode()})
    payload = cbor2.dumps(payload_for(facts, signed_at=signed_at))
    signature = key.sign(_sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return text_form(zlib.compress(cose, 9))


def text_form(binary: bytes) -> str:
    return TOKEN_PREFIX + base45.b45encode(binary).decode("ascii")


def digits_form(binary: bytes) -> str:
    """The token's bytes as decimal digits, 17 for every 7 bytes (fewer for the last group)."""
    groups = []
    for start in range(0, len(binary), _GROUP_BYTES):
        group = binary[start : start + _GROUP_BYTES]
        groups.append(str(int.from_bytes(group, "big")).zfill(_DIGITS_FOR_BYTES[len(group)]))
    return "".join(groups)


def from_digits(digits: str) -> bytes:
    """The inverse of `digits_form`; any other string of digits is a format error."""
    if not digits.isascii() or not digits.isdigit():
        raise TokenError("format", "not digits")
    if len(digits) > MAX_TOKEN_BYTES * 3:
        raise TokenError("format", "too long")
    full, rest = divmod(len(digits), _GROUP_DIGITS)
    sizes = [_GROUP_BYTES] * full
    if rest:
        if rest not in _BYTES_FOR_DIGITS:
            raise TokenError("format", "not a whole number of groups")
        sizes.append(_BYTES_FOR_DIGITS[rest])
    binary = bytearray()
    position = 0
    for size in sizes:
        width = _DIGITS_FOR_BYTES[size]
        value = int(digits[position : position + width])
        position += width
        if value >= 256**size:
            raise TokenError("format", "a group out of range")
        binary += value.to_bytes(size, "big")
    return bytes(binary)


def link_form(binary: bytes, *, base_url: str) -> str:
    """The link the QR code holds: the verification page, with the token in its path.

    Scheme and host are written in capitals (they are case-insensitive) so the
    prefix fits the QR alphanumeric mode; a path prefix of the portal keeps its case.
    """
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}".upper()
    return f"{origin}{parts.path.rstrip('/')}{LINK_PATH}{digits_form(binary)}"


def binary_of(written: str) -> bytes:
    """The token's bytes from either written form: "VN1:…" or a link ending in "/V/<digits>".

    The link's host is not trusted for anything: only the signature is, so a
    verifier reads the token from any link and checks it like pasted text.
    """
    written = (written or "").strip()
    if len(written) > MAX_TOKEN_BYTES * 3 + 200:
        raise TokenError("format", "too long")
    if written.startswith(TOKEN_PREFIX):
        if len(written) > MAX_TOKEN_LENGTH:
            raise TokenError("format", "too long")
        try:
            return base45.b45decode(written[len(TOKEN_PREFIX) :])
        except (ValueError, TypeError) as exc:
            raise TokenError("format", "not base45") from exc
    path = urlsplit(written).path if "://" in written else written
    if LINK_PATH in path.upper():
        digits = path[path.upper().rindex(LINK_PATH) + len(LINK_PATH) :]
        return from_digits(digits)
    raise TokenError("format", "neither a token nor a verification link")


def link_of(token: str, *, base_url: str) -> str:
    return link_form(binary_of(token), base_url=base_url)


def _inflate(compressed: bytes) -> bytes:
    """zlib's inflation, stopped at MAX_COSE_BYTES: a small token must not become a large one."""
    inflater = zlib.decompressobj()
    try:
        cose = inflater.decompress(compressed, MAX_COSE_BYTES)
    except zlib.error as exc:
        raise TokenError("format", "not zlib") from exc
    if inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
        raise TokenError("format", "inflates past the limit, is truncated or has data after")
    return cose


def _plain(value, depth: int = 0) -> bool:
    """Only the CBOR a token is made of: integers, strings, arrays and maps, shallow."""
    if depth > MAX_CBOR_DEPTH:
        return False
    if isinstance(value, int):
        # Beyond 64 bits cbor2 reads a big-number tag, which no token has.
        return -(2**64) <= value < 2**64
    if isinstance(value, str | bytes) or value is None:
        return True
    if isinstance(value, list):
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, int | str) and _plain(item, depth + 1) for key, item in value.items()
        )
    return False


def _cbor(data: bytes, *, top_tag: int | None = None):
    """Decode CBOR from an untrusted token.

    cbor2 turns semantic tags into decimals, dates, big numbers, regular
    expressions and more, and some of those raise their own errors (Overflow,
    OverflowError, re.error) or cost time; a token has no use for any of them,
    so any tag but the COSE_Sign1 envelope is refused, and any decoder failure
    is a format error.
    """

    def refuse_tag(_decoder, tag):
        if tag.tag == top_tag:
            return tag
        raise TokenError("format", f"CBOR tag {tag.tag}")

    try:
        decoded = cbor2.loads(data, tag_hook=refuse_tag)
    except TokenError:
        raise
    except Exception as exc:
        raise TokenError("format", "bad CBOR") from exc
    inner = decoded
    if top_tag is not None:
        # Every token is issued tagged; an untagged copy was not made here.
        if not isinstance(decoded, cbor2.CBORTag) or decoded.tag != top_tag:
            raise TokenError("format", "not a tagged COSE_Sign1")
        inner = decoded.value
    if not _plain(inner):
        raise TokenError("format", "CBOR other than integers, strings, arrays and maps")
    # Our tokens are exactly what cbor2 writes; anything else (duplicate map
    # keys, indefinite lengths, long forms of small numbers) was not made here.
    if cbor2.dumps(decoded) != data:
        raise TokenError("format", "not in the portal's CBOR encoding")
    decoded = inner
    return decoded


def _decode(token: str) -> tuple[bytes, bytes, bytes, dict]:
    compressed = binary_of(token)
    if len(compressed) > MAX_TOKEN_BYTES:
        raise TokenError("format", "too long")
    decoded = _cbor(_inflate(compressed), top_tag=COSE_SIGN1_TAG)
    if not (isinstance(decoded, list | tuple) and len(decoded) == 4):
        raise TokenError("format", "not a COSE_Sign1 array")
    protected, unprotected, payload, signature = decoded
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise TokenError("format", "COSE parts are not byte strings")
    # Nothing unsigned is ever put in a token, so anything there was added later.
    if unprotected != {}:
        raise TokenError("format", "unprotected header is not empty")
    header = _cbor(protected)
    if not isinstance(header, dict) or header.get(COSE_HEADER_ALG) != COSE_ALG_EDDSA:
        raise TokenError("format", "unsupported algorithm")
    return protected, payload, signature, header


_TEXT_FACTS = ("n", "t", "h", "c", "d")


def _facts(claims: dict) -> ResultFacts:
    try:
        result = claims[CLAIM_RESULT]
        if not (
            isinstance(claims[CLAIM_ISSUER], str)
            and all(isinstance(result[name], str) for name in _TEXT_FACTS)
            and isinstance(result["s"], bytes)
            and len(result["s"]) == 32
            and isinstance(result.get("v", ""), str)
            and isinstance(result.get("a", ""), str)
            and isinstance(result.get("f", b"\0" * 32), bytes)
            and len(result.get("f", b"\0" * 32)) == 32
            and isinstance(claims.get(CLAIM_ISSUED_AT, 0), int)
        ):
            raise TypeError("a fact of the wrong type")
        valid_until = result.get("v")
        return ResultFacts(
            result_id=uuid.UUID(bytes=result["id"]),
            number=result["n"],
            result_type_code=result["t"],
            holder_name=result["h"],
            holder_national_id=result["c"],
            issued_on=dt.date.fromisoformat(result["d"]),
            issuer_code=claims[CLAIM_ISSUER],
            issuer_name=result.get("a", ""),
            content_sha256=result["s"].hex(),
            valid_until=dt.date.fromisoformat(valid_until) if valid_until else None,
            digitized=bool(result.get("z")),
            certified_sha256=result["f"].hex() if "f" in result else "",
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TokenError("format", "payload lacks the result's facts") from exc


def kid_of(token: str) -> str:
    _protected, _payload, _signature, header = _decode(token)
    kid = header.get(COSE_HEADER_KID, b"")
    return kid.decode("ascii", "replace") if isinstance(kid, bytes) else str(kid)


def verify(token: str, public_key_for: Callable[[str], Ed25519PublicKey | None]) -> VerifiedToken:
    """Check the signature with the key the token names; return what it states."""
    protected, payload, signature, header = _decode(token)
    kid_bytes = header.get(COSE_HEADER_KID, b"")
    kid = kid_bytes.decode("ascii", "replace") if isinstance(kid_bytes, bytes) else ""
    key = public_key_for(kid)
    if key is None:
        raise TokenError("unknown_key", f"no published key {kid!r}")
    try:
        key.verify(signature, _sig_structure(protected, payload))
    except InvalidSignature as exc:
        raise TokenError("signature", "signature does not match") from exc
    claims = _cbor(payload)
    if not isinstance(claims, dict):
        raise TokenError("format", "payload is not a map")
    facts = _facts(claims)
    try:
        signed_at = dt.datetime.fromtimestamp(claims.get(CLAIM_ISSUED_AT, 0), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise TokenError("format", "bad signing time") from exc
    return VerifiedToken(kid=kid, facts=facts, signed_at=signed_at)
