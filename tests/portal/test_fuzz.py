"""Abusive input over every URL of the portal answers 4xx (or a normal page), never 5xx.

Every route is taken from the URL configuration, so a new page is fuzzed
without anyone remembering to; path parameters get real ids and hostile ones
(ids past bigint, unknown codes, 8,000 digits), query strings and form posts
get hostile values for every parameter name the portal reads. Requests are
made as a visitor, a citizen, an officer (second factor passed) and a
supervisor. The audit's own figure was 20 × 500 of 688 inputs; this sends
well over 1,000.
"""

import itertools
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers.constants import DossierState
from tests.accounts import pass_second_factor, verify_identity
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    "²",
    "١٢٣",
    "９" * 20,
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "-9223372036854775809",
    "18446744073709551616",
    "2026-13-45",
    "0000-00-00",
    "\x00",
    "%00",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "{{7*7}}",
    "a" * 10_000,
    "🙂" * 50,
    "[]",
    " ",
]
# Every parameter name the portal's views and forms read.
PARAMETER_NAMES = [
    "q", "page", "cursor", "code", "pin", "year", "month", "period", "start", "end",
    "agency", "procedure", "channel", "state", "status", "format", "next", "language",
    "submitted_from", "submitted_to", "t", "number", "result_type", "national_id",
    "date_of_birth", "action", "sort", "field", "level",
]  # fmt: skip
HOSTILE_IDS = ["0", "9223372036854775808", "9" * 40]
HOSTILE_STRINGS = ["x" * 300, "%2e%2e", "..", "A.B.C-0", "²"]


def routes(resolver=None, prefix=""):
    """(route text, converters) for every URL pattern outside the admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not text.startswith("admin/"):
                yield from routes(pattern, text)
        elif isinstance(pattern, URLPattern) and not text.startswith("admin/"):
            yield text


def fill(route: str, real: dict[str, str]) -> list[str]:
    """Concrete paths for a route: real values, then hostile ones, per parameter."""
    if route.startswith("^"):  # the result link: /V/<digits>
        return ["/V/" + "1" * 17, "/V/" + "9" * 8100, "/V/0"]
    names = re.findall(r"<(?:(\w+):)?(\w+)>", route)

    def candidates(converter, name):
        if converter == "int":
            values = HOSTILE_IDS
        elif converter == "uuid":
            values = [str(uuid.uuid4())]
        else:
            values = HOSTILE_STRINGS
        return [real[name], *values] if name in real else values

    paths = []
    options = [candidates(converter, name) for converter, name in names]
    for values in itertools.islice(itertools.product(*options), 12):
        path = route
        for value in values:
            path = re.sub(r"<(?:\w+:)?\w+>", value, path, count=1)
        paths.append("/" + path)
    return paths


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rate limits would answer 429 before the views saw the input.
    settings.DOSSIER_LOOKUP_RATE_PER_ADDRESS = "100000/h"
    settings.DOSSIER_LOOKUP_RATE_PER_CODE = "100000/h"
    cache.clear()
    c = cast()
    verify_identity(c.applicant, national_id="048190003333")
    received = dossier_in(DossierState.RECEIVED, c)
    supervisor = UserFactory()
    Membership.objects.create(user=supervisor, agency=c.agency, role=MembershipRole.SUPERVISOR)
    document = received.documents.first()
    real = {
        "pk": str(received.pk),
        "document_pk": str(document.pk),
        "code": c.procedure.code,
        "procedure_code": c.procedure.code,
        "agency_code": c.agency.code,
        "dataset": "dossiers",
        "fmt": "json",
        "action": "receive",
        "use_pk": "1",
        "uidb64": "MQ",
        "token": "set-password",
    }
    return c, supervisor, real


def clients(c, supervisor):
    visitor = Client(raise_request_exception=False)
    citizen = Client(raise_request_exception=False)
    citizen.force_login(c.applicant)
    officer = Client(raise_request_exception=False)
    officer.force_login(c.officer)
    pass_second_factor(officer, c.officer)
    boss = Client(raise_request_exception=False)
    boss.force_login(supervisor)
    pass_second_factor(boss, supervisor)
    return {"visitor": visitor, "citizen": citizen, "officer": officer, "supervisor": boss}


def test_no_abusive_input_to_any_url_gets_a_server_error(world):
    c, supervisor, real = world
    people = clients(c, supervisor)
    paths = [path for route in routes() for path in fill(route, real)]
    assert len(paths) > 80
    sent, failures, statuses = 0, [], {}

    def check(who, method, path, data):
        nonlocal sent
        sent += 1
        client = people[who]
        response = getattr(client, method)(path, data)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((who, method, path[:120], str(data)[:120], response.status_code))

    for path in paths:
        for who in people:
            check(who, "get", path, {})
        # One hostile value for every parameter at once, then each value alone.
        for value in HOSTILE_VALUES:
            check("visitor", "get", path, dict.fromkeys(PARAMETER_NAMES, value))
        for who in ("citizen", "officer"):
            check(who, "post", path, dict.fromkeys(PARAMETER_NAMES, HOSTILE_VALUES[3]))
    assert sent >= 1000
    # Most requests must reach a view, not stop at a 404 of the URL itself.
    assert statuses.get(200, 0) + statuses.get(302, 0) > sent / 4
    assert failures == [], f"{len(failures)} of {sent} requests failed: {failures[:20]}"
