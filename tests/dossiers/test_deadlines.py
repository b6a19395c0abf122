"""Deadline alerts and supplement reminders: who is alerted, when, and only once.

The collect functions and the runs take `now` explicitly, so the calendar is
exercised on fixed 2026 dates (default office hours, Monday to Friday
07:30-11:30 and 13:30-17:30): Wed 13 May 2026 is an ordinary working day,
Sat 16 and Sun 17 May are the weekend.
"""

import re
import time
from collections import Counter
from datetime import datetime, timedelta
from itertools import chain

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import Membership
from dossiers import deadlines, services
from dossiers.constants import AlertKind, Channel, DossierState
from dossiers.models import DeadlineAlert, Dossier
from dossiers.tasks import deadline_alerts_task
from notifications.constants import NotificationChannel
from notifications.models import Notification
from procedures import calendar
from procedures.calendar import VN_TZ
from procedures.constants import AdministrativeLevel
from tests.dossiers.builders import cast, checked_upload, dossier_in
from tests.dossiers.test_concurrency import run_together
from tests.factories import AgencyFactory, DossierFactory, UserFactory

WORKER_TIMEOUT_SECONDS = 20


def vn(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


NOW = vn(2026, 5, 13, 10)  # Wednesday


def ids(batches) -> list[int]:
    return list(chain.from_iterable(batches))


class Org:
    """A ward under the city, a second ward, and the people of each."""

    def __init__(self):
        self.city = AgencyFactory(
            name="Ủy ban nhân dân thành phố Đà Nẵng", level=AdministrativeLevel.PROVINCE
        )
        self.ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", parent=self.city)
        self.other_ward = AgencyFactory(name="Ủy ban nhân dân phường Thanh Khê", parent=self.city)
        self.officer = self._member(self.ward, MembershipRole.OFFICER)
        self.supervisor = self._member(self.ward, MembershipRole.SUPERVISOR)
        self.city_supervisor = self._member(self.city, MembershipRole.SUPERVISOR)
        self.city_officer = self._member(self.city, MembershipRole.OFFICER)
        self.other_officer = self._member(self.other_ward, MembershipRole.OFFICER)
        self.other_supervisor = self._member(self.other_ward, MembershipRole.SUPERVISOR)

    @staticmethod
    def _member(agency, role):
        user = UserFactory()
        Membership.objects.create(user=user, agency=agency, role=role)
        return user

    def received(self, due_at, **kwargs):
        return DossierFactory(
            received=True,
            agency=self.ward,
            submitted_at=due_at - timedelta(days=5),
            due_at=due_at,
            **kwargs,
        )

    def submitted(self, submitted_at, *, channel=Channel.ONLINE):
        return DossierFactory(
            submitted=True, agency=self.ward, submitted_at=submitted_at, channel=channel
        )

    def waiting_for_supplement(self, supplement_due_at):
        return DossierFactory(
            supplement_requested=True,
            agency=self.ward,
            submitted_at=supplement_due_at - timedelta(days=30),
            supplement_due_at=supplement_due_at,
        )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of the dossiers built through the services go to a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org(db):
    return Org()


def in_app_recipients(kind: str) -> Counter:
    """How many in-portal notifications of `kind` each user got."""
    rows = Notification.objects.filter(kind=kind, channel=NotificationChannel.IN_APP)
    return Counter(rows.values_list("user_id", flat=True))


def assert_one_row_per_user_channel_and_message(kind: str) -> None:
    rows = list(
        Notification.objects.filter(kind=kind).values_list("user_id", "channel", "dedupe_key")
    )
    assert rows
    assert len(rows) == len(set(rows))


def digest_counts(user, kind: str) -> list[int]:
    """The number of dossiers each of the user's in-portal messages of `kind` is about."""
    counts = []
    for subject in Notification.objects.filter(
        kind=kind, channel=NotificationChannel.IN_APP, user=user
    ).values_list("subject", flat=True):
        many = re.search(r": (\d+) hồ sơ", subject)
        counts.append(int(many.group(1)) if many else 1)
    return sorted(counts)


# --------------------------------------------------------------------------
# Collect: each kind found by its query
# --------------------------------------------------------------------------


def test_received_dossier_due_within_the_working_hours_window_is_due_soon(org):
    soon = org.received(vn(2026, 5, 13, 15))
    # 8 working hours from Wed 10:00 end on Thu 10:00.
    later = org.received(vn(2026, 5, 14, 11))
    overdue = org.received(vn(2026, 5, 12, 17, 30))

    found = ids(deadlines.due_soon_ids(NOW))

    assert found == [soon.pk]
    assert later.pk not in found and overdue.pk not in found


def test_due_soon_window_skips_the_weekend(org):
    friday = vn(2026, 5, 15, 16)
    # Fri 16:00-17:30 = 1.5 h; Mon 07:30-11:30 = 4 h; 13:30 + 2.5 h = Mon 16:00.
    monday = org.received(vn(2026, 5, 18, 15, 45))
    tuesday = org.received(vn(2026, 5, 19, 8))

    found = ids(deadlines.due_soon_ids(friday))

    assert found == [monday.pk]
    assert tuesday.pk not in found


def test_received_dossier_past_its_due_date_is_overdue(org):
    overdue = org.received(vn(2026, 5, 12, 17, 30))
    org.received(vn(2026, 5, 13, 15))
    DossierFactory(
        completed=True,
        agency=org.ward,
        submitted_at=vn(2026, 5, 1, 9),
        due_at=vn(2026, 5, 8, 9),
        closed_at=vn(2026, 5, 12, 9),
    )

    assert ids(deadlines.overdue_ids(NOW)) == [overdue.pk]


def test_online_dossier_waiting_four_working_hours_is_not_received(org):
    waiting = org.submitted(vn(2026, 5, 13, 7, 45))
    recent = org.submitted(vn(2026, 5, 13, 9))
    at_counter = org.submitted(vn(2026, 5, 12, 9), channel=Channel.COUNTER)

    found = ids(deadlines.not_received_ids(vn(2026, 5, 13, 13, 45)))

    assert found == [waiting.pk]
    assert recent.pk not in found and at_counter.pk not in found


def test_dossier_submitted_friday_afternoon_is_not_late_for_reception_on_saturday(org):
    dossier = org.submitted(vn(2026, 5, 15, 16, 30))

    assert ids(deadlines.not_received_ids(vn(2026, 5, 16, 12))) == []
    # Fri 16:30-17:30 = 1 h, Mon 07:30-10:30 = 3 h.
    assert ids(deadlines.not_received_ids(vn(2026, 5, 18, 10, 15))) == []
    assert ids(deadlines.not_received_ids(vn(2026, 5, 18, 10, 30))) == [dossier.pk]


def test_received_dossier_is_never_not_received(org):
    org.received(vn(2026, 5, 20, 9))

    assert ids(deadlines.not_received_ids(NOW)) == []


def test_supplement_due_within_the_reminder_days_is_collected(org):
    near = org.waiting_for_supplement(vn(2026, 5, 15, 10))
    # Two working days from Wed 10:00 end on Fri 10:00.
    far = org.waiting_for_supplement(vn(2026, 5, 15, 11))
    past = org.waiting_for_supplement(vn(2026, 5, 12, 10))

    found = ids(deadlines.supplement_reminder_ids(NOW))

    assert found == [near.pk]
    assert far.pk not in found and past.pk not in found


def test_dossier_already_alerted_of_a_kind_is_not_collected_again_for_it(org):
    dossier = org.received(vn(2026, 5, 12, 9))
    DeadlineAlert.objects.create(dossier=dossier, kind=AlertKind.OVERDUE)

    assert ids(deadlines.overdue_ids(NOW)) == []
    DeadlineAlert.objects.create(dossier=dossier, kind=AlertKind.DUE_SOON)
    assert ids(deadlines.overdue_ids(NOW + timedelta(days=1))) == []


def test_collect_reads_in_keyset_batches_without_repeats(org):
    dossiers = [org.received(vn(2026, 5, 13, 14) + timedelta(minutes=n % 3)) for n in range(7)]

    batches = list(deadlines.due_soon_ids(NOW, batch_size=3))

    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert sorted(ids(batches)) == sorted(d.pk for d in dossiers)


def test_collect_queries_use_an_index_on_dossiers(org):
    org.received(vn(2026, 5, 13, 15))
    org.received(vn(2026, 5, 12, 15))
    org.submitted(vn(2026, 5, 12, 9))
    org.waiting_for_supplement(vn(2026, 5, 15, 9))
    collectors = [
        deadlines.due_soon_ids,
        deadlines.overdue_ids,
        deadlines.not_received_ids,
        deadlines.supplement_reminder_ids,
    ]
    with CaptureQueriesContext(connection) as captured:
        for collect in collectors:
            ids(collect(NOW, batch_size=1))
    statements = [q["sql"] for q in captured if 'FROM "dossiers_dossier"' in q["sql"]]
    # Two batches of one row, then an empty read, for each kind.
    assert len(statements) == 4 * 2

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on dossiers_dossier" not in plan, plan
            assert "dossier_state_due" in plan or "dossier_waiting_reception" in plan, plan


# --------------------------------------------------------------------------
# Act: who is told, and only once
# --------------------------------------------------------------------------


def test_alerts_reach_the_agencys_officers_and_the_supervisors_above_it(org):
    org.received(vn(2026, 5, 12, 9))

    deadlines.deadline_alerts_run(NOW)

    told = in_app_recipients("alert_overdue")
    assert set(told) == {org.officer.pk, org.supervisor.pk, org.city_supervisor.pk}
    assert org.other_officer.pk not in told and org.other_supervisor.pk not in told
    # An officer of the city acts on the city's dossiers, not on the ward's.
    assert org.city_officer.pk not in told


def test_each_alert_kind_is_written_and_notified_once(org):
    due_soon = org.received(vn(2026, 5, 13, 15))
    overdue = org.received(vn(2026, 5, 12, 15))
    waiting = org.submitted(vn(2026, 5, 12, 9))

    counts = deadlines.deadline_alerts_run(NOW)

    assert counts == {"due_soon": 1, "overdue": 1, "not_received": 1}
    assert set(DeadlineAlert.objects.values_list("dossier_id", "kind")) == {
        (due_soon.pk, AlertKind.DUE_SOON),
        (overdue.pk, AlertKind.OVERDUE),
        (waiting.pk, AlertKind.NOT_RECEIVED),
    }
    for kind in ("alert_due_soon", "alert_overdue", "alert_not_received"):
        assert in_app_recipients(kind)[org.officer.pk] == 1
        assert_one_row_per_user_channel_and_message(kind)
    links = set(Notification.objects.filter(kind="alert_overdue").values_list("link", flat=True))
    assert links == {reverse("dossiers:officer_detail", args=[overdue.pk])}


def test_running_the_alerts_twice_alerts_once(org):
    org.received(vn(2026, 5, 12, 15))
    org.submitted(vn(2026, 5, 12, 9))

    first = deadlines.deadline_alerts_run(NOW)
    second = deadlines.deadline_alerts_run(NOW + timedelta(minutes=15))

    assert first == {"due_soon": 0, "overdue": 1, "not_received": 1}
    assert second == {"due_soon": 0, "overdue": 0, "not_received": 0}
    assert DeadlineAlert.objects.count() == 2
    assert in_app_recipients("alert_overdue") == {
        org.officer.pk: 1,
        org.supervisor.pk: 1,
        org.city_supervisor.pk: 1,
    }
    assert_one_row_per_user_channel_and_message("alert_overdue")


def test_many_dossiers_of_an_agency_make_one_digest_per_recipient_and_run(org):
    overdue = [org.received(vn(2026, 5, 12, 9) - timedelta(hours=n)) for n in range(14)]
    elsewhere = DossierFactory(
        received=True,
        agency=org.other_ward,
        submitted_at=vn(2026, 5, 1, 9),
        due_at=vn(2026, 5, 12, 9),
    )

    assert deadlines.deadline_alerts_run(NOW)["overdue"] == 15

    assert in_app_recipients("alert_overdue") == {
        org.officer.pk: 1,
        org.supervisor.pk: 1,
        org.city_supervisor.pk: 2,  # one per ward below the city
        org.other_officer.pk: 1,
        org.other_supervisor.pk: 1,
    }
    digest = Notification.objects.get(
        kind="alert_overdue", channel=NotificationChannel.IN_APP, user=org.officer
    )
    assert digest.subject.startswith("Quá hạn: 14 hồ sơ tại Ủy ban nhân dân phường Hải Châu")
    assert digest.link == f"{reverse('dossiers:queue')}?agency={org.ward.pk}&state=received"
    # The longest overdue first; the first ten by code, then the count of the rest.
    longest_first = sorted(overdue, key=lambda d: d.due_at)
    listed = [d.code for d in longest_first if d.code in digest.body_text]
    assert listed == [d.code for d in longest_first[: deadlines.DIGEST_LISTED]]
    assert "… và 4 hồ sơ khác." in digest.body_text
    single = Notification.objects.get(
        kind="alert_overdue", channel=NotificationChannel.IN_APP, user=org.other_officer
    )
    assert single.link == reverse("dossiers:officer_detail", args=[elsewhere.pk])
    assert DeadlineAlert.objects.filter(kind=AlertKind.OVERDUE).count() == 15


def test_a_dossier_that_becomes_overdue_later_is_alerted_alone_in_the_next_run(org):
    for n in range(3):
        org.received(vn(2026, 5, 12, 9) + timedelta(minutes=n))
    deadlines.deadline_alerts_run(NOW)
    later = org.received(vn(2026, 5, 13, 11))

    deadlines.deadline_alerts_run(vn(2026, 5, 13, 14))

    assert digest_counts(org.officer, "alert_overdue") == [1, 3]
    assert Notification.objects.filter(
        user=org.officer, link=reverse("dossiers:officer_detail", args=[later.pk])
    ).exists()


def test_a_dossier_due_soon_and_later_overdue_gets_both_alerts_once(org):
    dossier = org.received(vn(2026, 5, 13, 15))

    deadlines.deadline_alerts_run(NOW)
    deadlines.deadline_alerts_run(vn(2026, 5, 13, 16))
    deadlines.deadline_alerts_run(vn(2026, 5, 14, 9))

    assert sorted(dossier.alerts.values_list("kind", flat=True)) == ["due_soon", "overdue"]
    assert in_app_recipients("alert_due_soon")[org.officer.pk] == 1
    assert in_app_recipients("alert_overdue")[org.officer.pk] == 1


def test_a_dossier_received_after_collection_gets_no_not_received_alert(org):
    dossier = org.submitted(vn(2026, 5, 12, 9))
    collected = ids(deadlines.not_received_ids(NOW))
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.RECEIVED)

    assert deadlines.alerts_send(AlertKind.NOT_RECEIVED, collected) == 0
    assert not DeadlineAlert.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_alert_each_dossier_once():
    org = Org()
    dossiers = [org.received(vn(2026, 5, 12, 9) + timedelta(minutes=n)) for n in range(30)]
    waiting = org.submitted(vn(2026, 5, 12, 9))

    results = run_together(
        lambda: deadlines.deadline_alerts_run(NOW, batch_size=7),
        lambda: deadlines.deadline_alerts_run(NOW, batch_size=7),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["overdue"] for r in results) == 30
    assert sum(r["not_received"] for r in results) == 1
    assert DeadlineAlert.objects.filter(kind=AlertKind.OVERDUE).count() == 30
    assert DeadlineAlert.objects.filter(dossier=waiting).count() == 1
    # One message for the 30 (two, if the runs split them), never one per dossier.
    assert sum(digest_counts(org.officer, "alert_overdue")) == 30
    assert len(digest_counts(org.officer, "alert_overdue")) <= 2
    assert {d.pk for d in dossiers} == set(
        DeadlineAlert.objects.filter(kind=AlertKind.OVERDUE).values_list("dossier_id", flat=True)
    )
    assert_one_row_per_user_channel_and_message("alert_overdue")


def _wait_for_alert(dossier, kind):
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if DeadlineAlert.objects.filter(dossier=dossier, kind=kind).exists():
            return
        time.sleep(0.2)
    pytest.fail(f"The worker wrote no {kind} alert within {WORKER_TIMEOUT_SECONDS} s.")


def test_the_beat_task_runs_on_a_real_worker_and_alerts_once(celery_worker):
    org = Org()
    first = org.received(timezone.now() - timedelta(days=1))

    deadline_alerts_task.delay()
    _wait_for_alert(first, AlertKind.OVERDUE)
    # A dossier that becomes overdue later shows when the next run has been.
    second = org.received(timezone.now() - timedelta(hours=1))
    deadline_alerts_task.delay()
    _wait_for_alert(second, AlertKind.OVERDUE)

    assert DeadlineAlert.objects.filter(dossier=first).count() == 1
    assert in_app_recipients("alert_overdue") == {
        org.officer.pk: 2,
        org.supervisor.pk: 2,
        org.city_supervisor.pk: 2,
    }
    assert_one_row_per_user_channel_and_message("alert_overdue")


# --------------------------------------------------------------------------
# Supplement deadlines and reminders
# --------------------------------------------------------------------------


def test_a_supplement_request_sets_its_deadline_in_working_days(settings, db):
    c = cast()
    before = timezone.now()
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    after = timezone.now()

    dossier.refresh_from_db()
    working = calendar.WorkingCalendar()
    days = settings.SUPPLEMENT_WORKING_DAYS
    assert (
        working.add_working_days(before, days)
        <= dossier.supplement_due_at
        <= working.add_working_days(after, days)
    )


def test_resubmitting_clears_the_supplement_deadline(db):
    c = cast()
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    form_component = c.procedure.components.order_by("position").first()
    services.dossier_resubmit(
        dossier=dossier, actor=c.applicant, uploads={form_component.pk: checked_upload()}
    )

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.supplement_due_at is None


def _one_working_day_before(moment):
    return calendar.subtract_working_hours(moment, 8)


def test_supplement_reminder_goes_once_and_again_after_a_new_request(db):
    c = cast()
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    dossier.refresh_from_db()
    first_due = dossier.supplement_due_at

    assert deadlines.supplement_reminders_run(_one_working_day_before(first_due)) == 1
    assert deadlines.supplement_reminders_run(_one_working_day_before(first_due)) == 0
    assert in_app_recipients("supplement_reminder") == {c.applicant.pk: 1}

    form_component = c.procedure.components.order_by("position").first()
    services.dossier_resubmit(
        dossier=dossier, actor=c.applicant, uploads={form_component.pk: checked_upload()}
    )
    services.dossier_request_supplement(
        dossier=dossier, actor=c.officer, reason="Còn thiếu chữ ký", components=[form_component]
    )
    dossier.refresh_from_db()
    second_due = dossier.supplement_due_at

    assert second_due >= first_due
    assert deadlines.supplement_reminders_run(_one_working_day_before(second_due)) == 1
    assert deadlines.supplement_reminders_run(_one_working_day_before(second_due)) == 0
    assert in_app_recipients("supplement_reminder") == {c.applicant.pk: 2}
    assert DeadlineAlert.objects.filter(dossier=dossier).count() == 1


def test_supplement_reminder_is_not_sent_to_officers(db):
    c = cast()
    dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    due = Dossier.objects.get(applicant=c.applicant).supplement_due_at

    deadlines.supplement_reminders_run(_one_working_day_before(due))

    assert set(in_app_recipients("supplement_reminder")) == {c.applicant.pk}
