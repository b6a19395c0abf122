"""The five-state workflow: every transition from every state by every kind of actor."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citizens.models import WalletItem
from dossiers import services
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from tests.accounts import verify_identity
from tests.dossiers.builders import cast, checked_upload, dossier_in
from tests.factories import ResultTypeFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATES = [
    DossierState.DRAFT,
    DossierState.SUBMITTED,
    DossierState.RECEIVED,
    DossierState.SUPPLEMENT_REQUESTED,
    DossierState.REJECTED,
    DossierState.COMPLETED,
]
ACTORS = ["applicant", "officer", "other_officer", "stranger"]

# (transition, from state, actor) that the design allows; everything else is refused.
ALLOWED = {
    ("receive", DossierState.SUBMITTED, "officer"): DossierState.RECEIVED,
    ("reject", DossierState.SUBMITTED, "officer"): DossierState.REJECTED,
    ("reject", DossierState.RECEIVED, "officer"): DossierState.REJECTED,
    ("request_supplement", DossierState.SUBMITTED, "officer"): DossierState.SUPPLEMENT_REQUESTED,
    ("request_supplement", DossierState.RECEIVED, "officer"): DossierState.SUPPLEMENT_REQUESTED,
    ("resubmit", DossierState.SUPPLEMENT_REQUESTED, "applicant"): DossierState.SUBMITTED,
    ("complete", DossierState.RECEIVED, "officer"): DossierState.COMPLETED,
}


def run(transition, dossier, actor, c):
    form_component = c.procedure.components.get(position=1)
    if transition == "receive":
        return services.dossier_receive(dossier=dossier, actor=actor)
    if transition == "reject":
        return services.dossier_reject(dossier=dossier, actor=actor, reason="Hồ sơ giả mạo")
    if transition == "request_supplement":
        return services.dossier_request_supplement(
            dossier=dossier, actor=actor, reason="Thiếu giấy tờ", components=[form_component]
        )
    if transition == "resubmit":
        return services.dossier_resubmit(
            dossier=dossier, actor=actor, uploads={form_component.pk: checked_upload("bo-sung.png")}
        )
    return services.dossier_complete(dossier=dossier, actor=actor, outcome="Đã giải quyết")


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(
    "transition", ["receive", "reject", "request_supplement", "resubmit", "complete"]
)
def test_transition_matrix(transition, state, actor_name):
    c = cast()
    dossier = dossier_in(state, c)
    actor = getattr(c, actor_name)
    events_before = DossierEvent.objects.filter(dossier=dossier).count()
    expected = ALLOWED.get((transition, state, actor_name))

    if expected is not None:
        run(transition, dossier, actor, c)
        stored = Dossier.objects.get(pk=dossier.pk)
        assert stored.state == expected
        event = stored.events.latest("id")
        assert (event.action, event.actor, event.from_state, event.to_state) == (
            transition,
            actor,
            state,
            expected,
        )
        assert stored.events.count() == events_before + 1
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            run(transition, dossier, actor, c)
        stored = Dossier.objects.get(pk=dossier.pk)
        assert stored.state == state
        assert stored.events.count() == events_before


def test_submission_gives_a_code_in_the_national_format():
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    day = dossier.submitted_at.astimezone(VN)
    assert dossier.code == f"{c.agency.code}-{day:%y%m%d}-0001"


def test_codes_of_one_agency_and_day_follow_each_other():
    c = cast()
    first = dossier_in(DossierState.SUBMITTED, c)
    second = dossier_in(DossierState.SUBMITTED, c)
    assert first.code.endswith("-0001") and second.code.endswith("-0002")


def test_submission_refuses_an_incomplete_draft_and_keeps_it():
    c = cast()
    dossier = services.dossier_draft_create(
        applicant=c.applicant, procedure=c.procedure, agency=c.agency
    )
    with pytest.raises(ValidationError) as exc_info:
        services.dossier_submit(dossier=dossier, actor=c.applicant, declared=True)
    form_component = c.procedure.components.get(position=1)
    assert set(exc_info.value.message_dict) == {
        "field_applicant_name",
        "field_purpose",
        f"component_{form_component.pk}",
    }
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.state == DossierState.DRAFT and stored.code is None


def test_reason_is_required_to_reject_and_nothing_changes_without_it():
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    with pytest.raises(ValidationError):
        services.dossier_reject(dossier=dossier, actor=c.officer, reason="  ")
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


def test_supplement_request_needs_components_and_stops_the_clock():
    c = cast()
    dossier = dossier_in(DossierState.RECEIVED, c)
    assert dossier.due_at is not None
    with pytest.raises(ValidationError):
        services.dossier_request_supplement(
            dossier=dossier, actor=c.officer, reason="Thiếu", components=[]
        )
    component = c.procedure.components.get(position=1)
    services.dossier_request_supplement(
        dossier=dossier, actor=c.officer, reason="Thiếu chữ ký", components=[component]
    )
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.due_at is None
    assert stored.events.latest("id").data == {"components": [component.pk]}


def test_resubmission_needs_what_was_asked_and_restarts_reception():
    c = cast()
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    with pytest.raises(ValidationError):
        services.dossier_resubmit(dossier=dossier, actor=c.applicant, uploads={})
    component = c.procedure.components.get(position=1)
    services.dossier_resubmit(
        dossier=dossier, actor=c.applicant, uploads={component.pk: checked_upload()}
    )
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.state == DossierState.SUBMITTED and stored.received_at is None
    assert stored.documents.filter(round=1, component=component).count() == 1
    services.dossier_receive(dossier=stored, actor=c.officer)
    assert Dossier.objects.get(pk=dossier.pk).due_at is not None


def test_reused_wallet_item_is_locked_while_open_and_released_at_completion():
    c = cast()
    dossier = dossier_in(DossierState.RECEIVED, c)
    item_uses = c.id_card.uses.all()
    assert [(u.reference, u.released_at) for u in item_uses] == [(dossier.code, None)]
    services.dossier_complete(dossier=dossier, actor=c.officer, outcome="Đã cấp")
    assert WalletItem.objects.get(pk=c.id_card.pk).uses.get().released_at is not None


def test_an_audit_event_records_actor_reason_and_states():
    c = cast()
    dossier = dossier_in(DossierState.REJECTED, c)
    event = dossier.events.get(action=DossierAction.REJECT)
    assert event.actor == c.officer
    assert event.reason == "Không thuộc thẩm quyền"
    assert (event.from_state, event.to_state) == (DossierState.SUBMITTED, DossierState.REJECTED)


def test_state_cannot_be_assigned_directly():
    c = cast()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    with pytest.raises(AttributeError):
        dossier.state = DossierState.COMPLETED


def test_due_date_counts_working_days_from_reception_on_a_friday_before_tet(monkeypatch):
    # Friday 13 Feb 2026, 10:00: Tết holidays run 16-20 Feb (eve to fourth day).
    c = cast(processing_days=3)
    dossier = dossier_in(DossierState.SUBMITTED, c)
    received = dt.datetime(2026, 2, 13, 10, 0, tzinfo=VN)
    monkeypatch.setattr("dossiers.services.timezone.now", lambda: received)
    services.dossier_receive(dossier=dossier, actor=c.officer)
    # Online filing halves 3 days to 12 office hours: Friday gives 5.5 h
    # (10:00-11:30, 13:30-17:30), Tết closes the next week, and Monday 23 Feb
    # gives the remaining 6.5 h: 07:30-11:30 and 13:30-16:00.
    due = Dossier.objects.get(pk=dossier.pk).due_at
    assert due == dt.datetime(2026, 2, 23, 16, 0, tzinfo=VN)


def test_supplement_pause_gives_a_fresh_due_date_from_the_new_reception(monkeypatch):
    c = cast(processing_days=2)
    dossier = dossier_in(DossierState.SUBMITTED, c)
    monkeypatch.setattr(
        "dossiers.services.timezone.now", lambda: dt.datetime(2026, 4, 28, 8, 0, tzinfo=VN)
    )
    services.dossier_receive(dossier=dossier, actor=c.officer)
    component = c.procedure.components.get(position=1)
    services.dossier_request_supplement(
        dossier=dossier, actor=c.officer, reason="Thiếu", components=[component]
    )
    services.dossier_resubmit(
        dossier=dossier, actor=c.applicant, uploads={component.pk: checked_upload()}
    )
    # Received again on Wed 29 Apr 16:00; 30/4 and 1/5 are holidays, then a
    # weekend: 8 office hours (2 days halved) run 16:00-17:30 on the 29th and
    # 6.5 hours on Mon 4 May (07:30-11:30, 13:30-16:00).
    monkeypatch.setattr(
        "dossiers.services.timezone.now", lambda: dt.datetime(2026, 4, 29, 16, 0, tzinfo=VN)
    )
    services.dossier_receive(dossier=dossier, actor=c.officer)
    assert Dossier.objects.get(pk=dossier.pk).due_at == dt.datetime(2026, 5, 4, 16, 0, tzinfo=VN)


def test_completion_issues_the_digital_result_to_the_applicant():
    from results_store.models import Result

    c = cast()
    verify_identity(c.applicant, national_id="048305001234")
    result_type = ResultTypeFactory(code="KQ.G15.000038", name="Giấy xác nhận tình trạng hôn nhân")
    c.procedure.result_types.add(result_type)
    dossier = dossier_in(DossierState.RECEIVED, c)
    services.dossier_complete(
        dossier=dossier,
        actor=c.officer,
        outcome="Đã cấp",
        result_type=result_type,
        result_content={"Tình trạng hôn nhân": "Chưa đăng ký kết hôn với ai"},
    )
    result = Result.objects.get()
    assert result.source_reference == f"dossier:{dossier.code}"
    assert (result.holder, result.holder_national_id) == (c.applicant, "048305001234")
    assert result.agency == c.agency and result.status == "preparing"
    assert WalletItem.objects.filter(owner=c.applicant, kind="result").exists()


def test_completion_for_an_unverified_applicant_keeps_the_result_for_the_ids_holder():
    from results_store.models import Result

    c = cast()
    c.applicant.national_id = "048305001234"
    c.applicant.save()
    result_type = ResultTypeFactory(code="KQ.G15.000038")
    c.procedure.result_types.add(result_type)
    dossier = dossier_in(DossierState.RECEIVED, c)
    services.dossier_complete(
        dossier=dossier, actor=c.officer, outcome="Đã cấp", result_type=result_type
    )
    result = Result.objects.get()
    assert (result.holder, result.holder_national_id) == (None, "048305001234")
    assert not WalletItem.objects.filter(owner=c.applicant, kind="result").exists()


def test_completion_with_a_result_needs_the_applicants_citizen_id():
    c = cast()
    result_type = ResultTypeFactory(code="KQ.G15.000038")
    c.procedure.result_types.add(result_type)
    dossier = dossier_in(DossierState.RECEIVED, c)
    with pytest.raises(ValidationError):
        services.dossier_complete(
            dossier=dossier, actor=c.officer, outcome="Đã cấp", result_type=result_type
        )
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.RECEIVED
