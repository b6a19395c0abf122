"""What the load scenarios need from the bench database, prepared before the load.

`bench/run.py` runs this module in a child process with the bench environment
(the same DATABASE_URL and SECRET_KEY as the gunicorn it started), because
sessions, CSRF tokens and queue cursors are signed with that key:

    python -m bench.state prepare INTAKE_DIR   # prints one JSON object on stdout
    python -m bench.state cleanup STATE_JSON   # removes what the intake created

`prepare` picks a citizen with dossiers and an officer of the largest agency
and logs them in (a session row, as `django.contrib.auth.login` writes it),
walks the largest agency's "received" tab with `dossiers.selectors.queue_page`
to find the cursors of pages 100 and 1000, finds or signs a result token for
the verification page, and builds the intake request: citizens of its own,
a CSRF pair and a multipart body with a small PDF for every required document.
Nothing here goes through HTTP; `run.py` checks each URL once before the load.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
from datetime import date
from pathlib import Path

QUEUE_PAGES = (1, 100, 1000)
# Each connection of the intake scenario files as its own citizen, so that two
# connections never race for the same draft.
INTAKE_CITIZENS = 4
# The citizen whose pages are measured has a typical number of dossiers:
# the most among those with no more than this many (a heavy but real user).
CITIZEN_MAX_DOSSIERS = 12
INTAKE_MARKER = "bench-intake"
# The catalog search of the scenarios: typed without diacritics, as most people do.
SEARCH_QUERY = "dang ky khai sinh"


class NoData(Exception):
    """The bench database lacks what a scenario needs; the scenario is skipped."""


def _part(build, *args) -> dict:
    try:
        return build(*args)
    except NoData as error:
        return {"reason": str(error)}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _login(user) -> str:
    """A session key for the user, with what `django.contrib.auth.login` stores.

    A staff member's session has also passed the second factor, as after
    typing an authenticator's code (citizens/middleware.py).
    """
    import time

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from citizens.selectors import needs_second_factor
    from citizens.signals import SIGNED_IN_AT

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "citizens.backends.LoginIdentifierBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = int(time.time())
    if needs_second_factor(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="Benchmark authenticator", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.set_expiry(24 * 3600)
    session.save()
    return session.session_key


def _csrf_pair() -> tuple[str, str]:
    """(cookie value, form token), as the CSRF middleware would hand them out."""
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    request = HttpRequest()
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def _dataset() -> dict:
    from citizens.models import Membership, User
    from dossiers.models import Dossier
    from procedures.models import Agency, Procedure
    from results_store.models import Result

    return {
        "dossiers": Dossier.objects.count(),
        "citizens": User.objects.filter(memberships__isnull=True, is_staff=False).count(),
        "officers": Membership.objects.values("user").distinct().count(),
        "procedures": Procedure.objects.count(),
        "agencies": Agency.objects.count(),
        "results": Result.objects.count(),
    }


def _citizen() -> dict:
    from django.db.models import Count, Q

    from citizens.models import User
    from dossiers.constants import DossierState
    from dossiers.models import Dossier

    counts = (
        Dossier.objects.exclude(state=DossierState.DRAFT)
        .values("applicant")
        .annotate(n=Count("id"))
        .filter(n__lte=CITIZEN_MAX_DOSSIERS)
        .order_by("-n", "applicant")
    )
    row = counts.filter(
        ~Q(applicant__username__startswith=INTAKE_MARKER),
        applicant__memberships__isnull=True,
    ).first()
    if row is None:
        raise NoData("no citizen with filed dossiers in the bench database")
    user = User.objects.get(pk=row["applicant"])
    mine = Dossier.objects.filter(applicant=user)
    # The detail page of the dossier with the longest history: the most to show.
    dossier = (
        mine.exclude(state=DossierState.DRAFT)
        .annotate(n_events=Count("events"))
        .order_by("-n_events", "-id")
        .first()
    )
    return {
        "user_id": user.pk,
        "session": _login(user),
        "dossiers": mine.count(),
        "dossier_id": dossier.pk,
        "dossier_state": dossier.state,
        "dossier_events": dossier.n_events,
    }


def _officer() -> dict:
    from django.db.models import Count

    from citizens.constants import MembershipRole
    from citizens.models import Membership
    from dossiers import selectors
    from dossiers.constants import QUEUE_PAGE_SIZE, DossierState
    from dossiers.models import Dossier
    from procedures.models import Agency

    largest = (
        Dossier.objects.exclude(state=DossierState.DRAFT)
        .values("agency")
        .annotate(n=Count("id"))
        .order_by("-n", "agency")
    )
    agency = None
    for row in largest[:20]:
        membership = (
            Membership.objects.filter(agency_id=row["agency"], role=MembershipRole.OFFICER)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if membership is not None:
            agency = Agency.objects.get(pk=row["agency"])
            officer = membership.user
            break
    if agency is None:
        raise NoData("no agency with dossiers has an officer in the bench database")
    state = DossierState.RECEIVED
    received = Dossier.objects.filter(agency=agency, state=state).count()
    cursors: dict[str, str | None] = {}
    missing: dict[str, str] = {}
    cursor = None
    page_number = 1
    target = max(QUEUE_PAGES)
    while True:
        if page_number in QUEUE_PAGES:
            cursors[str(page_number)] = cursor
        if page_number == target:
            break
        page = selectors.queue_page(agency=agency, state=state, cursor=cursor)
        if not page.has_next:
            break
        cursor = page.next_cursor
        page_number += 1
    pages = -(-received // QUEUE_PAGE_SIZE)
    for number in QUEUE_PAGES:
        if str(number) not in cursors:
            missing[str(number)] = (
                f"the largest agency's received tab has {pages} pages of {QUEUE_PAGE_SIZE} "
                f"({received} dossiers) at this size"
            )
    return {
        "user_id": officer.pk,
        "session": _login(officer),
        "agency_id": agency.pk,
        "agency_code": agency.code,
        "agency_dossiers": Dossier.objects.filter(agency=agency)
        .exclude(state=DossierState.DRAFT)
        .count(),
        "state": str(state),
        "received": received,
        "pages": pages,
        "cursors": cursors,
        "missing_pages": missing,
    }


def _catalog() -> dict:
    from django.db.models import Count

    from procedures import selectors
    from procedures.models import Procedure

    # The procedure filed most often: the detail page most people open.
    popular = (
        Procedure.objects.active()
        .annotate(n=Count("dossiers"))
        .order_by("-n", "code")
        .values_list("code", flat=True)
        .first()
    )
    return {
        "procedure_code": popular,
        "procedures": Procedure.objects.active().count(),
        "search_hits": selectors.procedure_list(query=SEARCH_QUERY).count(),
    }


def _verification() -> dict:
    """A token of a valid result that the portal itself finds valid.

    Generated results have no PDF and no token. The first run signs one as
    `results_store.services.result_sign` would, over a stand-in content hash,
    and stores the token and the hash on the result; later runs reuse it.
    """
    import hashlib

    from cryptography.fernet import InvalidToken
    from django.utils import timezone

    from result_verifier import tokens
    from results_store import keys, services, verification
    from results_store.constants import ResultStatus
    from results_store.models import Result

    candidates = Result.objects.filter(status=ResultStatus.VALID).select_related(
        "result_type", "agency"
    )
    stored = candidates.exclude(token="").order_by("-id").first()
    if stored is not None:
        verdict = verification.verify_token(stored.token)
        if verdict.is_valid:
            return {"token": stored.token, "verdict": verdict.status, "signed": "stored"}
    today = timezone.localdate()
    result = (
        candidates.exclude(valid_until__lt=today)
        .filter(agency__isnull=False)
        .order_by("-id")
        .first()
    )
    if result is None:
        raise NoData("no valid result in the bench database")
    content_sha256 = (
        result.content_sha256 or hashlib.sha256(f"bench:{result.public_id}".encode()).hexdigest()
    )
    signing_key = keys.active_signing_key(result.agency)
    try:
        private = keys.private_key(signing_key)
    except InvalidToken:
        # Encrypted under another run's key: a new key signs from now on, and
        # the old one still verifies what it signed; so does a new root, if
        # the root's key is unreadable too.
        try:
            signing_key = keys.signing_key_generate(agency=result.agency)
        except keys.RootKeyOffline:
            keys.root_create()
            signing_key = keys.signing_key_generate(agency=result.agency)
        private = keys.private_key(signing_key)
    token = tokens.sign(
        services.facts_for(result, content_sha256),
        kid=signing_key.kid,
        key=private,
        signed_at=timezone.now(),
    )
    Result.objects.filter(pk=result.pk).update(
        token=token, content_sha256=content_sha256, signing_key=signing_key
    )
    verdict = verification.verify_token(token)
    if not verdict.is_valid:
        raise NoData(f"the token signed for the bench verifies as {verdict.status}")
    return {"token": token, "verdict": verdict.status, "signed": "now"}


def _tiny_pdf() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def _field_value(form_field, *, national_id: str) -> str:
    from procedures.constants import FormFieldType

    kind = form_field.field_type
    if kind == FormFieldType.NUMBER:
        return "1"
    if kind == FormFieldType.DATE:
        return date(2000, 1, 15).isoformat()
    if kind == FormFieldType.CHOICE:
        return form_field.choice_list[0]
    if kind == FormFieldType.NATIONAL_ID:
        return national_id
    if kind == FormFieldType.LONG_TEXT:
        return "Nộp hồ sơ để đo tải.\nDòng thứ hai."
    if kind == FormFieldType.ADDRESS:
        return "12 Bạch Đằng, phường Hải Châu, Đà Nẵng"
    return "Nguyễn Văn Bình"


def _intake_procedure():
    """The most filed online procedure whose required documents all accept PDF."""
    from django.db.models import Count

    from dossiers.models import Dossier
    from procedures.constants import ServiceLevel
    from procedures.models import Procedure

    popular = [
        row["procedure"]
        for row in Dossier.objects.values("procedure")
        .annotate(n=Count("id"))
        .order_by("-n", "procedure")[:50]
    ]
    procedures = (
        Procedure.objects.active()
        .exclude(service_level=ServiceLevel.IN_PERSON)
        .filter(pk__in=list(popular), agencies__is_active=True)
        .distinct()
        .prefetch_related("components")
    )
    order = {pk: rank for rank, pk in enumerate(popular)}
    for procedure in sorted(procedures, key=lambda p: order[p.pk]):
        required = [c for c in procedure.components.all() if c.is_required]
        if required and all("pdf" in c.format_list for c in required):
            return procedure
    return None


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]):
    boundary = "----bench" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, content in files:
        out.write(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _free_national_id() -> str:
    from citizens.models import User

    serial = 0
    while True:
        serial += 1
        # 048 is Da Nang; 0 = a man born in the 1900s; 90 = 1990.
        candidate = f"048090{990000 + serial:06d}"
        if not User.objects.filter(national_id=candidate).exists():
            return candidate


def _intake_citizens(count: int) -> list:
    """Citizens of the intake scenario alone, created on the first run and kept."""
    from citizens.models import User

    users = []
    for number in range(1, count + 1):
        username = f"{INTAKE_MARKER}-{number}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                full_name=f"Người nộp thử {number}",
                national_id=_free_national_id(),
                current_province="Đà Nẵng",
                permanent_province="Đà Nẵng",
            )
            user.set_unusable_password()
            user.save()
        users.append(user)
    return users


def _intake(intake_dir: Path) -> dict:
    from dossiers.models import Dossier
    from dossiers.selectors import suggested_agency

    procedure = _intake_procedure()
    if procedure is None:
        raise NoData("no online procedure whose required documents accept PDF")
    users = _intake_citizens(INTAKE_CITIZENS)
    agency = suggested_agency(procedure, users[0])
    cookie, token = _csrf_pair()
    fields = [
        ("csrfmiddlewaretoken", token),
        ("agency", str(agency.pk)),
        ("delivery_method", "counter"),
        ("delivery_address", ""),
        ("action", "submit"),
    ]
    for form_field in procedure.form_fields.all():
        fields.append(
            (f"field_{form_field.key}", _field_value(form_field, national_id=users[0].national_id))
        )
    pdf = _tiny_pdf()
    files = [
        (f"component_{c.pk}", f"giay-to-{c.pk}.pdf", pdf)
        for c in procedure.components.all()
        if "pdf" in c.format_list
    ]
    body, content_type = _multipart(fields, files)
    intake_dir.mkdir(parents=True, exist_ok=True)
    body_path = intake_dir / "intake-body.bin"
    body_path.write_bytes(body)
    sessions = [_login(user) for user in users]
    (intake_dir / "intake-sessions.txt").write_text("\n".join(sessions) + "\n")
    return {
        "procedure_code": procedure.code,
        "agency_id": agency.pk,
        "csrf_cookie": cookie,
        "csrf_token": token,
        "body_path": str(body_path),
        "body_bytes": len(body),
        "documents": len(files),
        "content_type": content_type,
        "sessions": sessions,
        "sessions_path": str(intake_dir / "intake-sessions.txt"),
        "user_ids": [u.pk for u in users],
        "submitted_before": Dossier.objects.filter(applicant__in=users)
        .exclude(state="draft")
        .count(),
    }


def prepare(intake_dir: Path | None) -> dict:
    """Everything the scenarios need; without an intake directory, no intake citizens."""
    _setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (pg_version,) = cursor.fetchone()
    return {
        "dataset": _dataset(),
        "postgresql": pg_version,
        "citizen": _part(_citizen),
        "officer": _part(_officer),
        "catalog": _part(_catalog),
        "verification": _part(_verification),
        "intake": (_part(_intake, intake_dir) if intake_dir else {"reason": "intake not prepared"}),
    }


def intake_count(user_ids: list[int]) -> int:
    """Dossiers the intake citizens have submitted, drafts excluded."""
    _setup_django()
    from dossiers.models import Dossier

    return Dossier.objects.filter(applicant_id__in=user_ids).exclude(state="draft").count()


def cleanup(user_ids: list[int]) -> int:
    """Delete the intake citizens' dossiers, so every run starts from the same data."""
    _setup_django()
    from dossiers.models import Dossier
    from portal.audit import audit_purge

    # Their events are audit rows: deleted only as a recorded purge (ADR 10).
    with audit_purge(reason="benchmark cleanup"):
        deleted, _per_model = Dossier.objects.filter(applicant_id__in=user_ids).delete()
    return deleted


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else ""
    if command == "prepare":
        json.dump(prepare(Path(argv[2])), sys.stdout)
    elif command == "count":
        json.dump({"submitted": intake_count(json.loads(argv[2]))}, sys.stdout)
    elif command == "cleanup":
        json.dump({"deleted": cleanup(json.loads(argv[2]))}, sys.stdout)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
