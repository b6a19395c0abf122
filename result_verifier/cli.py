"""Verify a result offline: `python -m result_verifier --trust-list FILE (--token T | --pdf FILE)`.

Prints one verdict (Valid, Revoked, Superseded, Expired or Not valid, in the
words of the verification page) with the certified facts, and exits 0 only
for a valid result. Nothing but the files given is read; a URL is fetched
once. See result_verifier/README.md.
"""

import argparse
import datetime as dt
import sys
import urllib.error
import urllib.request
from pathlib import Path

from result_verifier import status, trust, verdict

FETCH_TIMEOUT_SECONDS = 15
FETCH_MAX_BYTES = 20 * 1024 * 1024

LABELS = {
    "en": {
        "type": "Type",
        "number": "Number",
        "holder": "Holder",
        "national_id": "Citizen ID",
        "issuer": "Issued by",
        "issued_on": "Date of issue",
        "valid_until": "Valid until",
        "digitized": "Digitized from a paper original by the issuing agency",
        "status_date": "On",
        "reason": "Reason given by the agency",
        "replaced_by": "Replaced by number",
        "key": "Signed with key",
        "certified": "Digest of the certified facts (the verification page shows them)",
        "stale": "Warning: the status list expired at {at} (Vietnam); "
        "revocations since are not known.",
        "no_status": "Without a status list, revocations are not known.",
    },
    "vi": {
        "type": "Loại kết quả",
        "number": "Số",
        "holder": "Người được cấp",
        "national_id": "Số định danh cá nhân",
        "issuer": "Cơ quan cấp",
        "issued_on": "Ngày cấp",
        "valid_until": "Có giá trị đến",
        "digitized": "Kết quả được cơ quan cấp số hóa từ bản giấy",
        "status_date": "Ngày",
        "reason": "Lý do cơ quan đưa ra",
        "replaced_by": "Được thay thế bởi số",
        "key": "Ký bằng khóa",
        "certified": "Mã băm các thông tin được chứng thực (trang xác minh hiển thị đầy đủ)",
        "stale": "Cảnh báo: danh sách trạng thái hết hạn lúc {at} (giờ Việt Nam); "
        "không biết các kết quả bị thu hồi sau thời điểm đó.",
        "no_status": "Không có danh sách trạng thái: không biết kết quả đã bị thu hồi hay chưa.",
    },
}


class UsageError(Exception):
    pass


def read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
                return response.read(FETCH_MAX_BYTES)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise UsageError(f"Cannot fetch {source}: {error}") from error
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"Cannot read {source}: {error}") from error


def report(result: verdict.OfflineVerdict, language: str) -> list[str]:
    """The verdict as lines of text, in the page's words."""
    labels = LABELS[language]
    lines = [verdict.WORDS[language][result.status]]
    if result.is_invalid:
        lines.append(verdict.REASONS[language].get(result.reason_code, result.reason_code))
        return lines
    facts = result.facts
    if result.status in (verdict.REVOKED, verdict.SUPERSEDED):
        lines.append(f"  {labels['status_date']}: {result.status_date or '?'}")
        if result.status_reason:
            lines.append(f"  {labels['reason']}: {result.status_reason}")
        if result.superseded_by:
            lines.append(f"  {labels['replaced_by']}: {result.superseded_by}")
    lines += [
        f"  {labels['type']}: {facts.result_type_code}",
        f"  {labels['number']}: {facts.number}",
        f"  {labels['holder']}: {facts.holder_name}",
        f"  {labels['national_id']}: {verdict.mask_national_id(facts.holder_national_id)}",
        f"  {labels['issuer']}: {result.issuer_name} ({facts.issuer_code})",
        f"  {labels['issued_on']}: {facts.issued_on:%d/%m/%Y}",
    ]
    if facts.valid_until:
        lines.append(f"  {labels['valid_until']}: {facts.valid_until:%d/%m/%Y}")
    if facts.certified_sha256:
        lines.append(f"  {labels['certified']}: {facts.certified_sha256[:16]}…")
    if facts.digitized:
        lines.append(f"  {labels['digitized']}")
    lines.append(f"  {labels['key']}: {result.key.kid}")
    return lines


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m result_verifier",
        description="Check a result of the portal offline, with its published trust list.",
    )
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--token", help="The QR code's text: VN1:… or the verification link.")
    source.add_argument("--pdf", help="A result PDF file.")
    command.add_argument(
        "--trust-list",
        required=True,
        help="The portal's /.well-known/result-trust-list.json, saved or as its URL.",
    )
    command.add_argument(
        "--root",
        help="The portal's root certificate(s) (PEM), installed after checking the "
        "fingerprint. Without it, the roots in the trust list are trusted.",
    )
    command.add_argument(
        "--status-list",
        help="The portal's /.well-known/result-status.jws, saved or as its URL.",
    )
    command.add_argument("--lang", choices=sorted(LABELS), default="vi")
    return command


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    options = parser().parse_args(argv)
    try:
        pinned = trust.certificates_from_pem(read(options.root)) if options.root else None
        trusted = trust.trust_list_load(read(options.trust_list), pinned_roots=pinned)
        statuses = _statuses(options, trusted, err)
        if options.pdf:
            result = verdict.pdf_verdict(
                read(options.pdf), trusted.keys, trusted.roots, statuses=statuses
            )
        else:
            result = verdict.token_verdict(options.token, trusted.keys, statuses=statuses)
    except (UsageError, trust.TrustError, status.StatusListError, RuntimeError) as error:
        err.write(f"error: {error}" + "\n")
        return 2
    out.write("\n".join(report(result, options.lang)) + "\n")
    return 0 if result.is_valid else 1


def _statuses(options, trusted: trust.TrustList, err) -> dict | None:
    labels = LABELS[options.lang]
    if not options.status_list:
        err.write(labels["no_status"] + "\n")
        return None
    payload = status.status_list_verify(
        read(options.status_list).decode("ascii", "replace"), trusted.keys, allow_expired=True
    )
    expires = payload.get("exp")
    if isinstance(expires, int) and expires < dt.datetime.now(dt.UTC).timestamp():
        at = dt.datetime.fromtimestamp(expires, verdict.VIETNAM)
        err.write(labels["stale"].format(at=f"{at:%d/%m/%Y %H:%M}") + "\n")
    return status.statuses_by_id(payload)
