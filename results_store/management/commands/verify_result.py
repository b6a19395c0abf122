"""Check a result's QR token or PDF offline, as any independent verifier could.

Only published material is used: the JWK Set and, if given, the signed status
list, each from a saved file or fetched from a URL. The database is never read,
so this runs on a machine with a copy of the code and nothing else.
"""

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from results_store import keys, status_list, verification
from results_store.constants import TOKEN_PREFIX

FETCH_TIMEOUT_SECONDS = 15
FETCH_MAX_BYTES = 5 * 1024 * 1024
RASTER_DPI = 200
RASTER_MAX_PAGES = 10

VERDICT_WORDS = {
    verification.VerdictStatus.VALID: "VALID",
    verification.VerdictStatus.REVOKED: "REVOKED",
    verification.VerdictStatus.SUPERSEDED: "SUPERSEDED",
    verification.VerdictStatus.EXPIRED: "EXPIRED",
    verification.VerdictStatus.INVALID: "INVALID",
}
REASONS = {
    "format": "this is not a result token of the portal",
    "unknown_key": "signed with a key that is not in the key set",
    "signature": "the signature does not match: forged or altered",
    "altered": "the PDF's content is not what the token signs: altered",
    "not_signed": "no result QR code was found in the PDF",
}


def public_keys_from_jwks(jwks: dict) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWK Set (RFC 7517, OKP keys per RFC 8037), by key id."""
    found = {}
    for jwk in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if not isinstance(jwk, dict):
            continue
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not jwk.get("kid"):
            continue
        try:
            found[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(keys.b64url_decode(jwk["x"]))
        except (KeyError, ValueError, TypeError):
            continue
    return found


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
                return response.read(FETCH_MAX_BYTES)
        except (urllib.error.URLError, OSError) as error:
            raise CommandError(f"Cannot fetch {source}: {error}") from error
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {source}: {error}") from error


def token_from_pdf(pdf_path: Path) -> str | None:
    """The text of the result QR code in a PDF, read from its pages as images."""
    import zxingcpp
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise CommandError("Reading the QR code of a PDF needs pdftoppm (poppler-utils).")
    with tempfile.TemporaryDirectory() as directory:
        prefix = Path(directory) / "page"
        command = ["pdftoppm", "-png", "-r", str(RASTER_DPI), "-l", str(RASTER_MAX_PAGES)]
        subprocess.run(
            [*command, str(pdf_path), str(prefix)],
            check=False,
            capture_output=True,
            timeout=120,
        )
        for page in sorted(Path(directory).glob("page*.png")):
            with Image.open(page) as image:
                for code in zxingcpp.read_barcodes(image):
                    if code.text.startswith(TOKEN_PREFIX):
                        return code.text
    return None


class Command(BaseCommand):
    help = (
        "Check a result's QR token or PDF offline, against the published key set and, "
        "optionally, a saved status list. Prints VALID, REVOKED, SUPERSEDED, EXPIRED or "
        "INVALID with the result's facts; exits 0 only for VALID. For a PDF, the QR code is "
        "read from the pages and the SHA-256 of the PDF's first revision is compared with the "
        "hash the token signs; the PAdES signature over the whole file is checked by any PDF "
        "reader (it names the issuing agency's certificate). The database is not used."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--token", help="The text of the QR code (starts with VN1:).")
        source.add_argument("--pdf", help="A result PDF file.")
        parser.add_argument(
            "--jwks",
            help="A saved JWK Set file or its URL. Default: the portal's "
            "/.well-known/jwks.json under PORTAL_BASE_URL.",
        )
        parser.add_argument(
            "--status-list",
            dest="status_list",
            help="A saved status list (the portal's /.well-known/result-status.jws) or its "
            "URL, verified with the key set. Without it, revocations are not known.",
        )

    def handle(self, *args, **options):
        jwks_source = options["jwks"] or settings.PORTAL_BASE_URL + reverse("results_store:jwks")
        try:
            jwks = json.loads(_read(jwks_source))
        except ValueError as error:
            raise CommandError(f"{jwks_source} is not a JWK Set: {error}") from error
        public_keys = public_keys_from_jwks(jwks)
        if not public_keys:
            raise CommandError(f"{jwks_source} holds no Ed25519 key.")

        statuses = self._statuses(options["status_list"], public_keys)
        content_sha256 = None
        if options["pdf"]:
            pdf_path = Path(options["pdf"])
            pdf = _read(str(pdf_path))
            token = token_from_pdf(pdf_path)
            if token is None:
                self._report(verification.invalid(verification.InvalidReason.NOT_SIGNED))
            from results_store import documents

            try:
                content_sha256 = hashlib.sha256(documents.content_revision(pdf)).hexdigest()
            except Exception as error:
                raise CommandError(f"Cannot read the PDF's first revision: {error}") from error
        else:
            token = options["token"]

        verdict = verification.verdict_offline(token, public_keys.get, statuses=statuses)
        if content_sha256 and verdict.facts and verdict.facts.content_sha256 != content_sha256:
            verdict = verification.invalid(verification.InvalidReason.ALTERED)
        self._report(verdict)

    def _statuses(self, source: str | None, public_keys) -> dict | None:
        if not source:
            return None
        try:
            payload = status_list.status_list_verify(
                _read(source).decode("ascii", "replace"), public_keys.get, allow_expired=True
            )
        except status_list.StatusListError as error:
            raise CommandError(f"The status list cannot be trusted ({error.code}).") from error
        expires = payload.get("exp")
        if isinstance(expires, int) and expires < dt.datetime.now(dt.UTC).timestamp():
            expired_on = dt.datetime.fromtimestamp(expires, verification.VIETNAM)
            self.stderr.write(
                f"Warning: the status list expired at {expired_on:%Y-%m-%d %H:%M} (Vietnam); "
                "results revoked since then are not known."
            )
        return status_list.statuses_by_id(payload)

    def _report(self, verdict: verification.Verdict) -> None:
        word = VERDICT_WORDS[verdict.status]
        if verdict.is_invalid:
            self.stdout.write(f"{word}: {REASONS.get(verdict.reason_code, verdict.reason_code)}")
            raise SystemExit(1)
        facts = verdict.facts
        lines = [word]
        if verdict.status in (
            verification.VerdictStatus.REVOKED,
            verification.VerdictStatus.SUPERSEDED,
        ):
            lines.append(f"  {verdict.status.capitalize()} on: {verdict.status_date or '?'}")
            if verdict.status_reason:
                lines.append(f"  Reason: {verdict.status_reason}")
            if verdict.superseded_by:
                lines.append(f"  Replaced by number: {verdict.superseded_by}")
        elif verdict.status == verification.VerdictStatus.EXPIRED:
            lines.append(f"  Expired after: {facts.valid_until}")
        lines += [
            f"  Type: {facts.result_type_code}",
            f"  Number: {facts.number}",
            f"  Holder: {facts.holder_name}",
            f"  Citizen ID: {verdict.holder_national_id_masked}",
            f"  Issuer: {facts.issuer_name} ({facts.issuer_code})",
            f"  Issued on: {facts.issued_on}",
        ]
        if facts.valid_until:
            lines.append(f"  Valid until: {facts.valid_until}")
        if facts.digitized:
            lines.append("  Digitized from a paper original")
        lines.append(f"  Signed with key: {verdict.kid}")
        self.stdout.write("\n".join(lines))
        if not verdict.is_valid:
            raise SystemExit(1)
