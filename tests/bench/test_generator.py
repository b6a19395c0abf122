"""The benchmark data generator, run at a small size: a consistent, reproducible city."""

import itertools
import random
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max

from bench import generator
from bench.generator import OfficeTimeline, RefusedError
from citizens.constants import MembershipRole, WalletItemKind
from citizens.models import Membership, User, WalletItem, WalletItemUse
from citizens.national_id import validate_national_id_format, validate_national_id_matches
from dossiers.constants import Channel, DossierAction, DossierState
from dossiers.models import DailySequence, Dossier, DossierDocument, DossierEvent
from procedures import calendar
from procedures.constants import AdministrativeLevel, AgencyKind
from procedures.models import Agency, Procedure
from procedures.search import fold
from results_store.constants import ResultStatus
from results_store.models import Result
from tests.bench.conftest import NOW, SEED, SIZES

pytestmark = pytest.mark.usefixtures("city", "db")


def _dossiers():
    return list(Dossier.objects.select_related("agency", "procedure").order_by("id"))


def test_sizes_are_the_ones_asked_for():
    assert Dossier.objects.count() == SIZES["dossiers"]
    assert Procedure.objects.count() == SIZES["procedures"]
    assert User.objects.filter(memberships__isnull=True).count() == SIZES["citizens"]
    assert Procedure.objects.filter(code__startswith="9.").count() == SIZES["procedures"] - 28


def test_the_city_has_94_commune_level_units_and_an_officer_at_every_busy_agency():
    units = Agency.objects.filter(
        level=AdministrativeLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE
    )
    assert units.count() == 94  # 23 wards, 70 communes and the special zone
    filed_at = set(Dossier.objects.values_list("agency_id", flat=True))
    staffed = set(
        Membership.objects.filter(role=MembershipRole.OFFICER).values_list("agency_id", flat=True)
    )
    assert filed_at <= staffed
    assert Membership.objects.filter(
        role=MembershipRole.SUPERVISOR, agency__code=generator.CITY_CODE
    ).exists()


def test_one_ward_holds_a_fifth_of_the_dossiers():
    share = Dossier.objects.filter(agency__code=generator.BIG_WARD_CODE).count() / SIZES["dossiers"]
    assert 0.15 <= share <= 0.25


def test_every_state_occurs_and_most_dossiers_are_completed():
    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert set(states) == set(DossierState.values)
    assert states[DossierState.COMPLETED] > SIZES["dossiers"] / 2


def test_dates_agree_with_each_state():
    now = NOW
    for d in _dossiers():
        assert d.created_at <= d.state_changed_at <= now, d.pk
        if d.state == DossierState.DRAFT:
            assert d.code is None and d.submitted_at is None
            assert (d.received_at, d.due_at, d.closed_at) == (None, None, None)
            assert d.sort_at == d.created_at
            continue
        assert d.created_at <= d.submitted_at <= d.state_changed_at
        if d.state == DossierState.SUBMITTED:
            assert (d.received_at, d.due_at, d.closed_at) == (None, None, None)
            assert d.sort_at == d.state_changed_at
        elif d.state == DossierState.RECEIVED:
            assert d.received_at == d.state_changed_at <= d.due_at
            assert d.closed_at is None and d.sort_at == d.due_at
        elif d.state == DossierState.SUPPLEMENT_REQUESTED:
            assert d.due_at is None and d.closed_at is None
            assert d.supplement_due_at > d.state_changed_at == d.sort_at
        elif d.state == DossierState.REJECTED:
            assert d.closed_at == d.state_changed_at == d.sort_at
        else:
            assert d.submitted_at <= d.received_at <= d.closed_at
            assert d.due_at and d.outcome
            assert d.closed_at == d.state_changed_at == d.sort_at


def test_due_dates_are_the_working_calendars():
    working = calendar.WorkingCalendar()
    for d in _dossiers():
        if d.due_at is not None:
            online = d.channel == Channel.ONLINE
            assert d.due_at == working.due_at(d.procedure, d.received_at, online=online), d.pk
        if d.supplement_due_at is not None:
            days = settings.SUPPLEMENT_WORKING_DAYS
            assert d.supplement_due_at == working.add_working_days(d.state_changed_at, days)


def test_the_timeline_counts_office_time_as_the_working_calendar_does():
    working = calendar.WorkingCalendar()
    first, last = NOW.date() - timedelta(days=400), NOW.date() + timedelta(days=100)
    timeline = OfficeTimeline(working, first, last)
    rng = random.Random(1)
    for _ in range(300):
        moment = int(NOW.timestamp()) - rng.randrange(360 * 86400)
        aware = generator._dt(moment)
        hours = rng.choice([0, 1, 4, 8, 12, 40, 120])
        assert generator._dt(timeline.add(moment, hours * 3600)) == working.add_working_hours(
            aware, hours
        )
        assert generator._dt(timeline.same_day_due(moment)) == working.same_day_due(aware)
        days = rng.choice([1, 5, 15, 30])
        assert generator._dt(timeline.add_calendar_days(moment, days)) == (
            working.add_calendar_days(aware, days)
        )


def test_events_are_the_transitions_that_led_to_the_state():
    events = defaultdict(list)
    for event in DossierEvent.objects.order_by("created_at", "id"):
        events[event.dossier_id].append(event)
    officers = defaultdict(set)
    for user_id, agency_id in Membership.objects.values_list("user_id", "agency_id"):
        officers[agency_id].add(user_id)
    for d in _dossiers():
        trail = events[d.pk]
        assert 1 <= len(trail) <= 3, d.pk
        assert trail[0].from_state == DossierState.DRAFT
        for before, after in itertools.pairwise(trail):
            assert after.from_state == before.to_state
        assert trail[-1].to_state == d.state
        assert trail[-1].created_at == d.state_changed_at
        actions = [e.action for e in trail]
        assert (DossierAction.COMPLETE in actions) == (d.state == DossierState.COMPLETED)
        for event in trail:
            if event.action in (DossierAction.CREATE, DossierAction.SUBMIT, DossierAction.RESUBMIT):
                assert event.actor_id == d.applicant_id
            else:
                assert event.actor_id in officers[d.agency_id]
            if event.action == DossierAction.REQUEST_SUPPLEMENT:
                asked = event.data["components"]
                assert set(asked) <= set(d.procedure.components.values_list("pk", flat=True))


def test_codes_are_unique_in_the_national_format_and_match_the_daily_sequences():
    filed = [d for d in _dossiers() if d.state != DossierState.DRAFT]
    codes = [d.code for d in filed]
    assert len(set(codes)) == len(codes)
    numbers = defaultdict(list)
    for d in filed:
        match = re.fullmatch(rf"{re.escape(d.agency.code)}-(\d{{6}})-(\d{{4,}})", d.code)
        assert match, d.code
        day = calendar.to_local(d.submitted_at).date()
        assert match[1] == f"{day:%y%m%d}"
        numbers[(d.agency_id, day)].append(int(match[2]))
    for key, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), key
    sequences = {(s.agency_id, s.day): s.last_number for s in DailySequence.objects.all()}
    assert sequences == {key: len(taken) for key, taken in numbers.items()}


def test_search_text_is_the_folded_code_and_name():
    for d in _dossiers():
        expected = fold(f"{d.code} {d.applicant_name}") if d.code else ""
        assert d.search_text == expected, d.pk
        assert d.applicant_name == d.applicant.full_name


def test_citizen_id_numbers_are_valid_unique_and_agree_with_the_profile():
    people = list(User.objects.exclude(national_id=None))
    assert len(people) == User.objects.count()
    tails = [u.national_id[6:] for u in people]
    assert len(set(tails)) == len(tails)
    for user in people:
        validate_national_id_format(user.national_id)
        validate_national_id_matches(
            user.national_id, date_of_birth=user.date_of_birth, gender=user.gender
        )
        assert user.national_id[:3] in ("048", "049")
        assert user.email.endswith("@bench.example")
        assert not user.has_usable_password()
    first_filed = Dossier.objects.values("applicant").annotate(first=Max("created_at"))
    joined = dict(User.objects.values_list("pk", "date_joined"))
    for row in first_filed:
        assert joined[row["applicant"]] <= row["first"]


def test_documents_come_from_uploads_or_the_applicants_wallet():
    per_dossier = Counter(DossierDocument.objects.values_list("dossier_id", flat=True))
    assert set(per_dossier.values()) <= {1, 2, 3}
    reused = DossierDocument.objects.filter(wallet_item__isnull=False).select_related(
        "dossier", "wallet_item"
    )
    assert reused.exists()
    for document in reused:
        dossier, item = document.dossier, document.wallet_item
        assert item.owner_id == dossier.applicant_id
        assert item.created_at <= dossier.created_at
        if dossier.code:
            use = WalletItemUse.objects.get(item=item, reference=dossier.code)
            assert use.agency_id == dossier.agency_id
            assert (use.released_at is None) == dossier.is_open


def test_completed_dossiers_issued_valid_results_into_the_wallet():
    completed = Dossier.objects.filter(state=DossierState.COMPLETED)
    results = list(Result.objects.all())
    assert (
        len(results) == completed.filter(procedure__result_types__isnull=False).distinct().count()
    )
    by_code = {d.code: d for d in completed}
    for result in results:
        dossier = by_code[result.source_reference.removeprefix("dossier:")]
        assert result.status == ResultStatus.VALID and result.token == ""
        assert result.holder_id == dossier.applicant_id
        assert result.holder_national_id == dossier.applicant.national_id
        assert result.issued_on == calendar.to_local(dossier.closed_at).date()
        assert WalletItem.objects.filter(
            owner_id=dossier.applicant_id,
            kind=WalletItemKind.RESULT,
            source_reference=f"result:{result.public_id}",
        ).exists()
    numbers = Result.objects.values("agency", "result_type", "number").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in numbers)


def test_automatic_result_numbers_continue_after_the_generated_ones():
    from results_store.models import ResultSequence
    from results_store.services import result_number_next

    issued = Result.objects.values("agency", "result_type", "issued_on__year").annotate(
        n=Count("id")
    )
    sequences = {
        (s.agency_id, s.result_type_id, s.year): s.last_number for s in ResultSequence.objects.all()
    }
    assert sequences == {
        (row["agency"], row["result_type"], row["issued_on__year"]): row["n"] for row in issued
    }
    busiest = Result.objects.select_related("agency", "result_type").order_by("-id").first()
    number = result_number_next(
        agency=busiest.agency, result_type=busiest.result_type, issued_on=busiest.issued_on
    )
    assert not Result.objects.filter(
        agency=busiest.agency, result_type=busiest.result_type, number=number
    ).exists()


def test_the_same_seed_makes_the_same_city():
    def snapshot():
        return [
            (
                d.code, d.state, d.agency.code, d.procedure.code, d.applicant.national_id,
                d.created_at, d.submitted_at, d.due_at, d.closed_at, d.declaration,
            )
            for d in Dossier.objects.select_related("agency", "procedure", "applicant").order_by(
                "id"
            )
        ]  # fmt: skip

    before = snapshot()
    generator.generate(**SIZES, seed=SEED, now=NOW, log=lambda message: None)
    assert snapshot() == before


def test_the_generator_refuses_a_database_with_real_accounts():
    User.objects.create(username="someone", email="someone@example.com")
    with pytest.raises(RefusedError):
        generator.generate(dossiers=10, procedures=28, citizens=10, log=lambda message: None)
    assert Dossier.objects.count() == SIZES["dossiers"]


def test_the_command_refuses_a_database_not_named_for_benchmarks(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "portal")
    with pytest.raises(CommandError, match="does not look like a benchmark database"):
        call_command("bench_data", "--dossiers", "10")
