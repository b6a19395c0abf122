"""One verdict for a result, from its token or its PDF, with only the published files.

The portal's verification page adds what only it knows now (results_store/
verification.py); this is what any verifier concludes offline from the trust
list and a saved status list. Every key is used only for its role: a token
counts only if signed by a `results` key certified for the agency the token
names, and the status list only if signed by the `status_list` key.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from result_verifier import pdf as pdf_check
from result_verifier import tokens, trust

# Expiry is decided on the Vietnamese calendar wherever the verifier runs.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

VALID = "valid"
REVOKED = "revoked"
SUPERSEDED = "superseded"
EXPIRED = "expired"
INVALID = "invalid"

# Why something is not valid.
FORMAT = "format"  # not a result code
UNKNOWN_KEY = "unknown_key"  # no trusted key of the right role and agency
SIGNATURE = "signature"  # forged or altered
ALTERED = "altered"  # the file is not what the token or the signature covers
UNKNOWN_RESULT = "unknown_result"  # the portal has no record (online only)
NOT_SIGNED = "not_signed"  # no signature or no result code in the file


@dataclass(frozen=True)
class OfflineVerdict:
    status: str
    reason_code: str = ""
    facts: tokens.ResultFacts | None = None
    key: trust.TrustedKey | None = None
    status_date: dt.date | None = None
    status_reason: str = ""
    superseded_by: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == VALID

    @property
    def is_invalid(self) -> bool:
        return self.status == INVALID

    @property
    def issuer_name(self) -> str:
        """The agency as its certificate names it (tokens do not repeat the name)."""
        if self.key is not None and self.key.agency_name:
            return self.key.agency_name
        return self.facts.issuer_name if self.facts else ""


# Citizen IDs are shown with only their last digits: the page is public, the
# QR code is in the holder's hand.
NATIONAL_ID_VISIBLE_DIGITS = 4


def mask_national_id(national_id: str) -> str:
    visible = national_id[-NATIONAL_ID_VISIBLE_DIGITS:]
    return "•" * max(len(national_id) - len(visible), 0) + visible


def is_expired(facts: tokens.ResultFacts, today: dt.date | None = None) -> bool:
    """Past its last day of validity, on the Vietnamese calendar."""
    return facts.valid_until is not None and facts.valid_until < (today or vietnam_today())


def invalid(reason_code: str) -> OfflineVerdict:
    return OfflineVerdict(status=INVALID, reason_code=reason_code)


def vietnam_today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def token_verdict(
    token: str,
    keys: Mapping[str, trust.TrustedKey],
    *,
    statuses: Mapping[str, Mapping] | None = None,
    today: dt.date | None = None,
) -> OfflineVerdict:
    """The token's signature, its key's role and agency, then the saved status list.

    `statuses` maps a result's public id (hex) to its status-list entry.
    """

    def public_key_for(kid: str):
        key = keys.get(kid)
        return key.public_key if key is not None and key.role == trust.ROLE_RESULTS else None

    try:
        verified = tokens.verify(token, public_key_for)
    except tokens.TokenError as error:
        return invalid(error.code)
    key = keys[verified.kid]
    facts = verified.facts
    # A key speaks only for the agency its certificate names, and only while
    # the certificate was valid.
    if key.agency_code != facts.issuer_code or not key.valid_at(verified.signed_at):
        return invalid(UNKNOWN_KEY)
    verdict = OfflineVerdict(status=VALID, facts=facts, key=key)
    entry = (statuses or {}).get(facts.result_id.hex)
    if entry and entry.get("status") in (REVOKED, SUPERSEDED):
        at = entry.get("at")
        try:
            status_date = dt.date.fromisoformat(at) if isinstance(at, str) and at else None
        except ValueError:
            status_date = None
        return replace(
            verdict,
            status=entry["status"],
            status_date=status_date,
            status_reason=str(entry.get("reason", "")),
            superseded_by=str(entry.get("by", "")),
        )
    if is_expired(facts, today):
        return replace(verdict, status=EXPIRED, status_date=facts.valid_until)
    return verdict


def pdf_token_verdict(
    pdf: bytes,
    token: str,
    keys: Mapping[str, trust.TrustedKey],
    roots: list,
    *,
    statuses: Mapping[str, Mapping] | None = None,
    today: dt.date | None = None,
) -> OfflineVerdict:
    """A PDF and the token of its QR code: both signatures, and that they are of each other."""
    check = pdf_check.pdf_signature_check(pdf, roots=roots)
    if not check.signed:
        return invalid(NOT_SIGNED)
    if not check.intact:
        return invalid(ALTERED)
    verdict = token_verdict(token, keys, statuses=statuses, today=today)
    if verdict.is_invalid:
        return invalid(ALTERED)
    try:
        content_sha256 = hashlib.sha256(pdf_check.content_revision(pdf)).hexdigest()
    except ValueError:
        return invalid(ALTERED)
    # The document is the one the token signs, and the PDF was signed by the
    # agency the token names: neither can be swapped for another's.
    if (
        content_sha256 != verdict.facts.content_sha256
        or check.agency_code != verdict.key.agency_code
    ):
        return invalid(ALTERED)
    return verdict


def pdf_verdict(
    pdf: bytes,
    keys: Mapping[str, trust.TrustedKey],
    roots: list,
    *,
    statuses: Mapping[str, Mapping] | None = None,
    today: dt.date | None = None,
) -> OfflineVerdict:
    """A PDF on its own: its QR code is read from the page images."""
    codes = pdf_check.tokens_in_pdf(pdf)
    if not codes:
        return invalid(NOT_SIGNED)
    return pdf_token_verdict(pdf, codes[0], keys, roots, statuses=statuses, today=today)


# The verdict in the words of the verification page (its English and its
# Vietnamese translation; tests/result_verifier checks that they agree).
WORDS = {
    "en": {
        VALID: "Valid",
        REVOKED: "Revoked",
        SUPERSEDED: "Superseded",
        EXPIRED: "Expired",
        INVALID: "Not valid",
    },
    "vi": {
        VALID: "Hợp lệ",
        REVOKED: "Đã thu hồi",
        SUPERSEDED: "Đã được thay thế",
        EXPIRED: "Hết hiệu lực",
        INVALID: "Không hợp lệ",
    },
}
REASONS = {
    "en": {
        FORMAT: "This is not a readable result code of the portal: it is incomplete, damaged "
        "or altered. Check that you scanned the QR code printed on the result, or that you "
        "copied all of its text.",
        UNKNOWN_KEY: "This code was not issued by the portal or has been altered. Do not rely "
        "on the document it came with.",
        SIGNATURE: "This code was not issued by the portal or has been altered. Do not rely "
        "on the document it came with.",
        ALTERED: "This does not match what the portal issued: the document or its code has "
        "been altered. Do not rely on it.",
        NOT_SIGNED: "This file does not carry the portal's signature. Only the PDF file sent "
        "by the portal can be checked here; a scan or a printout cannot.",
        UNKNOWN_RESULT: "The portal has no record of this result. Do not rely on it.",
    },
    "vi": {
        FORMAT: "Không đọc được mã kết quả của Cổng: mã không đầy đủ, bị hỏng hoặc đã bị sửa "
        "đổi. Hãy kiểm tra bạn đã quét đúng mã QR in trên kết quả, hoặc đã sao chép toàn bộ "
        "nội dung của mã.",
        UNKNOWN_KEY: "Mã này không do Cổng cấp hoặc đã bị sửa đổi. Không nên tin cậy giấy tờ "
        "đi kèm mã này.",
        SIGNATURE: "Mã này không do Cổng cấp hoặc đã bị sửa đổi. Không nên tin cậy giấy tờ "
        "đi kèm mã này.",
        ALTERED: "Nội dung không khớp với kết quả Cổng đã cấp: giấy tờ hoặc mã của giấy tờ "
        "đã bị sửa đổi. Không nên tin cậy giấy tờ này.",
        NOT_SIGNED: "Tệp này không có chữ ký số của Cổng. Tại đây chỉ kiểm tra được tệp PDF "
        "do Cổng gửi; không kiểm tra được bản quét hoặc bản in.",
        UNKNOWN_RESULT: "Cổng không có dữ liệu về kết quả này. Không nên tin cậy kết quả này.",
    },
}
