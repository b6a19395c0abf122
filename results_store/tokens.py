"""The QR token: COSE_Sign1 (RFC 9052) over a CWT-style CBOR payload, as the EU DCC does.

    token = "VN1:" + base45(zlib(COSE_Sign1))

The payload's claims are described in docs/adr/0006-result-token-format.md.
Verification needs only the token and the published public keys, so it works
offline; this module touches no database.
"""

import datetime as dt
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from results_store.constants import (
    CLAIM_EXPIRES,
    CLAIM_ISSUED_AT,
    CLAIM_ISSUER,
    CLAIM_RESULT,
    COSE_ALG_EDDSA,
    COSE_HEADER_ALG,
    COSE_HEADER_KID,
    COSE_SIGN1_TAG,
    TOKEN_PREFIX,
)

# A token the portal issues inflates to about 400 bytes and is about 500
# characters long; the caps leave room for longer names and certified facts
# while keeping what an attacker can make the verifier do small.
MAX_TOKEN_LENGTH = 4000
MAX_COSE_BYTES = 16 * 1024
MAX_CBOR_DEPTH = 8


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
    issuer_name: str
    content_sha256: str
    valid_until: dt.date | None = None
    digitized: bool = False


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
            "a": facts.issuer_name,
            "s": bytes.fromhex(facts.content_sha256),
        },
    }
    if facts.valid_until:
        claims[CLAIM_EXPIRES] = _epoch(facts.valid_until)
        claims[CLAIM_RESULT]["v"] = facts.valid_until.isoformat()
    if facts.digitized:
        claims[CLAIM_RESULT]["z"] = True
    return claims


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(facts: ResultFacts, *, kid: str, key: Ed25519PrivateKey, signed_at: dt.datetime) -> str:
    protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_EDDSA, COSE_HEADER_KID: kid.encode()})
    payload = cbor2.dumps(payload_for(facts, signed_at=signed_at))
    signature = key.sign(_sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return TOKEN_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


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
    token = (token or "").strip()
    if not token.startswith(TOKEN_PREFIX):
        raise TokenError("format", "missing prefix")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("format", "too long")
    try:
        compressed = base45.b45decode(token[len(TOKEN_PREFIX) :])
    except (ValueError, TypeError) as exc:
        raise TokenError("format", "not base45") from exc
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


_TEXT_FACTS = ("n", "t", "h", "c", "d", "a")


def _facts(claims: dict) -> ResultFacts:
    try:
        result = claims[CLAIM_RESULT]
        if not (
            isinstance(claims[CLAIM_ISSUER], str)
            and all(isinstance(result[name], str) for name in _TEXT_FACTS)
            and isinstance(result["s"], bytes)
            and len(result["s"]) == 32
            and isinstance(result.get("v", ""), str)
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
            issuer_name=result["a"],
            content_sha256=result["s"].hex(),
            valid_until=dt.date.fromisoformat(valid_until) if valid_until else None,
            digitized=bool(result.get("z")),
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
