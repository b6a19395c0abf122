"""Crafted and mutated QR tokens: every one is INVALID, none is a server error.

Starting from a genuine token, the suite makes more than a thousand others the
way an attacker would: one flipped bit anywhere in the COSE message, one
changed character of the text, truncations, another key id, algorithm swaps,
CBOR semantic tags (decimal fractions with huge exponents, dates past the end
of time, big numbers, regular expressions, sets), duplicate map keys, deep
nesting, and zlib bombs. Each goes through the token check, the verifier and,
for a sample, the public page and the offline CLI.
"""

import datetime as dt
import io
import json
import random
import zlib
from urllib.parse import urlsplit

import base45
import cbor2
import pytest
from django.core.management import call_command
from django.urls import reverse

from citizens.constants import MembershipRole
from citizens.models import Membership
from result_verifier import tokens, trust
from result_verifier import verdict as offline_verdict
from result_verifier.tokens import (
    COSE_ALG_EDDSA,
    COSE_HEADER_ALG,
    COSE_HEADER_KID,
    COSE_SIGN1_TAG,
    TOKEN_PREFIX,
)
from results_store import keys, verification
from results_store.models import SigningKey
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.results_store.signing import issue_result, sign_token

pytestmark = pytest.mark.django_db

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@pytest.fixture
def genuine():
    agency = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", code="000.01.00.H15")
    officer = UserFactory()
    Membership.objects.create(user=officer, agency=agency, role=MembershipRole.OFFICER)
    result = issue_result(
        result_type=ResultTypeFactory(name="Giấy khai sinh"),
        agency=agency,
        holder_national_id="048190001234",
        holder_name="Nguyễn Thị Ánh Tuyết",
        issued_on=dt.date(2026, 11, 20),
        data={},
        actor=officer,
        number="123/2026/KS",
    )
    token = sign_token(result, b"%PDF-1.7 content\n%%EOF\n")
    signing_key = result.signing_key
    assert verification.verify_token(token).status == "valid"
    return token, signing_key


def _cose(token: str) -> bytes:
    return zlib.decompress(base45.b45decode(token[len(TOKEN_PREFIX) :]))


def _wrap(cose: bytes) -> str:
    return TOKEN_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def _parts(token: str):
    protected, unprotected, payload, signature = cbor2.loads(_cose(token)).value
    return protected, unprotected, payload, signature


def _envelope(protected, payload, signature, *, unprotected=None, tag=COSE_SIGN1_TAG) -> str:
    body = [protected, {} if unprotected is None else unprotected, payload, signature]
    return _wrap(cbor2.dumps(cbor2.CBORTag(tag, body)))


def _signed_by(signing_key, protected: bytes, payload: bytes) -> str:
    """A well-signed envelope around whatever bytes: only the agency's key could make it."""
    signature = keys.private_key(signing_key).sign(
        cbor2.dumps(["Signature1", protected, b"", payload])
    )
    return _envelope(protected, payload, signature)


def _header(kid: bytes, alg=COSE_ALG_EDDSA) -> bytes:
    return cbor2.dumps({COSE_HEADER_ALG: alg, COSE_HEADER_KID: kid})


def bit_flips(token):
    cose = _cose(token)
    for position in range(len(cose)):
        for bit in (0, 5):
            changed = bytearray(cose)
            changed[position] ^= 1 << bit
            yield _wrap(bytes(changed))


def character_changes(token):
    rng = random.Random(12)
    for position in range(len(TOKEN_PREFIX), len(token)):
        replacement = rng.choice(BASE45_ALPHABET.replace(token[position], ""))
        yield token[:position] + replacement + token[position + 1 :]


def truncations(token):
    cose = _cose(token)
    for length in range(0, len(cose), 3):
        yield _wrap(cose[:length])
    for length in range(len(TOKEN_PREFIX), len(token), 7):
        yield token[:length]
    yield token + "A"
    yield token + "AB"


# Semantic tags cbor2 decodes into Python objects, some of which raise their
# own errors: decimal.Overflow, OverflowError, re.error, ValueError...
CRAFTED_TAGS = [
    cbor2.CBORTag(4, [2**64, 1]),  # decimal fraction, huge exponent
    cbor2.CBORTag(4, [-(2**63), 2**200]),
    cbor2.CBORTag(5, [2**64, 3]),  # bigfloat
    cbor2.CBORTag(1, 10**300),  # epoch date past the end of time
    cbor2.CBORTag(1, -(10**30)),
    cbor2.CBORTag(0, "not a date"),
    cbor2.CBORTag(2, b"\xff" * 2048),  # a big number
    cbor2.CBORTag(3, b"\x01" * 64),
    cbor2.CBORTag(35, "(unclosed"),  # regular expression
    cbor2.CBORTag(36, "not a mime message"),
    cbor2.CBORTag(37, b"short"),  # UUID of the wrong length
    cbor2.CBORTag(258, [1, 2, 3]),  # set
    cbor2.CBORTag(260, b"\x01\x02\x03"),  # network address
    cbor2.CBORTag(261, {b"\x01": 99}),
    cbor2.CBORTag(28, "shared"),  # value sharing
    cbor2.CBORTag(29, 7),  # a reference to nothing
    cbor2.CBORTag(55799, cbor2.CBORTag(55799, 1)),  # self-described CBOR
    cbor2.CBORTag(COSE_SIGN1_TAG, [b"", {}, b"", b""]),  # an envelope inside
    cbor2.CBORTag(2**63, 1),
]


def _raw_tag(number: int, content: bytes) -> bytes:
    """A CBOR tag header written by hand, for tags cbor2 will not write."""
    return b"\xdb" + number.to_bytes(8, "big") + content


def crafted(token, signing_key):
    protected, _unprotected, payload, signature = _parts(token)
    kid = cbor2.loads(protected)[COSE_HEADER_KID]
    claims = cbor2.loads(payload)
    # Tags instead of the envelope, around it, and in each of its parts.
    for tag in CRAFTED_TAGS:
        yield _wrap(cbor2.dumps(tag))
        yield _wrap(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, tag)))
        yield _envelope(protected, payload, signature, unprotected={1: tag})
        yield _envelope(
            cbor2.dumps({COSE_HEADER_ALG: tag, COSE_HEADER_KID: kid}), payload, signature
        )
        yield _envelope(_header(tag), payload, signature)
        # Even signed by the agency's key, a payload with tags is not a result.
        for field in ("n", "d", "id", "s"):
            yield _signed_by(
                signing_key,
                protected,
                cbor2.dumps({**claims, -70001: {**claims[-70001], field: tag}}),
            )
        yield _signed_by(signing_key, protected, cbor2.dumps({**claims, 6: tag}))
    yield _wrap(_raw_tag(4, cbor2.dumps([2**62, 1])))
    yield _wrap(b"\xc4\x82\x1b\x7f\xff\xff\xff\xff\xff\xff\xff\x01")  # 24 characters, decimal 4
    # Another envelope tag, no tag, a map, the wrong number of parts, parts of other types.
    yield _envelope(protected, payload, signature, tag=98)
    yield _envelope(protected, payload, signature, tag=61)
    yield _wrap(cbor2.dumps([protected, {}, payload, signature]))
    yield _wrap(cbor2.dumps({"p": protected, "s": signature}))
    yield _wrap(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload])))
    yield _wrap(
        cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature, b""]))
    )
    yield _envelope(protected.decode("latin-1"), payload, signature)
    yield _envelope(protected, claims, signature)
    yield _envelope(protected, payload, None)
    yield _wrap(b"")
    yield _wrap(b"\x00" * 40)
    # Algorithm swaps: ES256, none, HS256, a string, a missing algorithm.
    for alg in (-7, 0, 5, -257, "EdDSA", None, 2**70, -(2**70)):
        yield _envelope(_header(kid, alg), payload, signature)
        yield _signed_by(signing_key, _header(kid, alg), payload)
    yield _envelope(cbor2.dumps({COSE_HEADER_KID: kid}), payload, signature)
    # Key ids: unknown, empty, of other types, of the portal's own key.
    for other_kid in (b"", b"nobody", b"\xff\xfe", "a text kid", 12, kid * 50):
        yield _envelope(_header(other_kid), payload, signature)
    portal_key = keys.active_signing_key(None)
    yield _signed_by(portal_key, _header(portal_key.kid.encode()), payload)
    # A genuine, certified key of another agency, signing a token that names this one.
    other_agency = keys.signing_key_generate(agency=AgencyFactory(code="000.02.00.H15"))
    yield _signed_by(other_agency, _header(other_agency.kid.encode()), payload)
    # A key whose certificate chains to no root the portal has.
    uncertified = keys.signing_key_generate(agency=AgencyFactory(code="000.03.00.H15"))
    SigningKey.objects.filter(pk=uncertified.pk).update(token_certificate="")
    yield _signed_by(uncertified, _header(uncertified.kid.encode()), payload)
    # Duplicate map keys, indefinite lengths, long forms: what cbor2 does not write.
    duplicate_alg = b"\xa3\x01\x27\x04" + cbor2.dumps(kid) + b"\x01\x26"
    yield _envelope(duplicate_alg, payload, signature)
    yield _signed_by(signing_key, duplicate_alg, payload)
    duplicate_issuer = b"\xa5" + payload[1:] + b"\x01\x64X.00"
    yield _signed_by(signing_key, protected, duplicate_issuer)
    yield _signed_by(signing_key, b"\xbf\x01\x27\x04" + cbor2.dumps(kid) + b"\xff", payload)
    yield _signed_by(signing_key, b"\xa2\x18\x01\x27\x04" + cbor2.dumps(kid), payload)
    # Deep nesting.
    for depth in (20, 500, 10_000):
        yield _wrap(b"\x81" * depth + b"\x00")
        yield _signed_by(signing_key, protected, b"\x81" * depth + b"\x00")
    # Claims of the wrong types or shapes, signed with the agency's key.
    result = claims[-70001]
    for field, value in (
        ("id", b"short"),
        ("id", "not bytes"),
        ("d", "2026-13-45"),
        ("d", 20261120),
        ("s", "not bytes"),
        ("n", None),
        ("v", "never"),
        ("h", ["a", "list"]),
        ("f", b"short digest"),
        ("f", "not bytes"),
        ("f", [["Họ, chữ đệm, tên", "Nguyễn Văn A"]]),
    ):
        yield _signed_by(
            signing_key, protected, cbor2.dumps({**claims, -70001: {**result, field: value}})
        )
    yield _signed_by(signing_key, protected, cbor2.dumps({**claims, 6: 10**30}))
    yield _signed_by(signing_key, protected, cbor2.dumps({**claims, 6: "yesterday"}))
    yield _signed_by(signing_key, protected, cbor2.dumps({**claims, 6: 1.5}))
    yield _signed_by(signing_key, protected, cbor2.dumps([claims]))
    yield _signed_by(
        signing_key, protected, cbor2.dumps({k: v for k, v in claims.items() if k != -70001})
    )


def bombs():
    # Inflates to 100 MB, about 150,000 characters of text.
    yield _wrap(b"\x00" * 100_000_000)
    # The most a token of the longest accepted length can inflate to.
    yield _wrap(cbor2.dumps(b"\x00" * 2_000_000))
    yield _wrap(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [b"", {}, b"\x00" * 2_000_000, b""])))
    # A valid zlib stream followed by more data; a zlib stream cut short.
    yield TOKEN_PREFIX + base45.b45encode(zlib.compress(b"\x80", 9) + b"more").decode()
    yield TOKEN_PREFIX + base45.b45encode(zlib.compress(b"\x80" * 1000, 9)[:-6]).decode()


def link_changes(token):
    """The link form, as the QR code holds it: digits changed, dropped, added."""
    link = tokens.link_of(token, base_url="https://dichvucong.danang.gov.vn")
    start = link.index("/V/") + 3
    rng = random.Random(45)
    for position in range(start, len(link), 3):
        digit = rng.choice("0123456789".replace(link[position], ""))
        yield link[:position] + digit + link[position + 1 :]
    for length in range(start, len(link), 29):
        yield link[:length]
    yield link + "0"
    yield link + "/"
    yield link.replace("/V/", "/V/9")
    yield link[:start] + "9" * (len(link) - start)


def mutants(token, signing_key) -> list[str]:
    made = [
        *link_changes(token),
        *bit_flips(token),
        *character_changes(token),
        *truncations(token),
        *crafted(token, signing_key),
        *bombs(),
        "",
        "VN1:",
        "VN1: ",
        "vn1:" + token[4:],
        "HC1:" + token[4:],
        TOKEN_PREFIX + "ÄÖ",
        TOKEN_PREFIX + "\x00\x01",
        TOKEN_PREFIX + "GGW",  # base45 above 65535
    ]
    return [candidate for candidate in dict.fromkeys(made) if candidate != token]


def test_more_than_a_thousand_mutated_tokens_are_all_invalid(genuine):
    token, signing_key = genuine
    candidates = mutants(token, signing_key)
    assert len(candidates) > 1000
    published = trust.trust_list_load(json.dumps(keys.trust_list()).encode()).keys

    accepted = []
    for candidate in candidates:
        try:
            tokens.verify(candidate, lambda kid: keys.public_key(signing_key))
        except tokens.TokenError:
            pass
        else:
            # Only a genuine signature survives the token check; its facts
            # must still be refused by the verifier (another key's role).
            if verification.verify_token(candidate).status != "invalid":
                accepted.append(candidate)
        verdict = verification.verify_token(candidate)
        if verdict.status != "invalid":
            accepted.append(candidate)
        # The offline verifier, with only the published trust list.
        if offline_verdict.token_verdict(candidate, published).status != "invalid":
            accepted.append(candidate)

    assert accepted == []


def test_the_verify_page_answers_every_crafted_token_with_a_verdict(genuine, client):
    token, signing_key = genuine
    candidates = [
        candidate
        for candidate in [*crafted(token, signing_key), *bombs()]
        if len(candidate) <= 2000
    ]
    candidates += random.Random(7).sample(mutants(token, signing_key), 150)

    for candidate in candidates:
        response = client.get(reverse("results_store:verify"), {"t": candidate})
        assert response.status_code in (200, 400), candidate
        verdict = response.context["verdict"]
        assert verdict is None or verdict.status == "invalid", candidate


def test_a_24_character_token_with_a_decimal_tag_is_invalid_not_an_error(client):
    crafted_token = _wrap(b"\xc4\x82\x1b\x7f\xff\xff\xff\xff\xff\xff\xff\x01")
    assert len(crafted_token) <= 30

    response = client.get(reverse("results_store:verify"), {"t": crafted_token})

    assert response.status_code == 200
    assert response.context["verdict"].reason_code == "format"


def test_inflation_is_capped_wherever_a_token_is_decoded(genuine, tmp_path):
    token, _signing_key = genuine
    bomb = _wrap(cbor2.dumps(b"\x00" * 2_000_000))
    assert len(bomb) <= tokens.MAX_TOKEN_LENGTH
    with pytest.raises(tokens.TokenError) as error:
        tokens.kid_of(bomb)
    assert error.value.code == "format"

    trust_list = tmp_path / "trust-list.json"
    trust_list.write_text(json.dumps(keys.trust_list()))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_result", token=bomb, trust_list=str(trust_list), lang="en", stdout=out)
    assert exit_code.value.code == 1
    assert out.getvalue().startswith("Not valid")
    # The genuine token still verifies offline.
    out = io.StringIO()
    call_command("verify_result", token=token, trust_list=str(trust_list), lang="en", stdout=out)
    assert out.getvalue().startswith("Valid")


def test_the_qr_links_page_answers_every_changed_link_with_a_verdict(genuine, client):
    token, _signing_key = genuine
    links = random.Random(9).sample(list(link_changes(token)), 60)
    genuine_path = urlsplit(tokens.link_of(token, base_url="https://x.example")).path

    assert client.get(genuine_path).context["verdict"].status == "valid"
    for link in links:
        response = client.get(urlsplit(link).path)
        assert response.status_code in (200, 404), link
        if response.status_code == 200:
            assert response.context["verdict"].status == "invalid", link
