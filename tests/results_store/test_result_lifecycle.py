"""A result's status on django-fsm-2, its numbers, and who may issue which result types."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.constants import DossierState
from dossiers.models import Dossier
from results_store import services
from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result, ResultEvent
from tests.dossiers.builders import cast, dossier_in
from tests.dossiers.test_concurrency import run_together
from tests.factories import AgencyFactory, ProcedureFactory, ResultTypeFactory
from tests.files import pdf_bytes, upload
from tests.results_store.signing import issue_result, ward_officer


@pytest.fixture
def officer():
    return ward_officer()


def _result(officer, number="1/2026/KS") -> Result:
    return issue_result(
        result_type=ResultTypeFactory(code="KQ.G15.000038"),
        agency=officer.memberships.get().agency,
        holder_national_id="048190001234",
        holder_name="Nguyễn Thị Ánh Tuyết",
        issued_on=timezone.localdate(),
        number=number,
        data={"Tình trạng hôn nhân": "Chưa kết hôn"},
        actor=officer,
    )


def _in_status(officer, status: str) -> Result:
    result = _result(officer)
    replacement = _result(officer, number="2/2026/KS") if status == "superseded" else None
    Result.objects.filter(pk=result.pk).update(status=status, superseded_by=replacement)
    return Result.objects.get(pk=result.pk)


def _transition(name: str, result: Result, officer):
    if name == "revoke":
        return services.result_revoke(result=result, actor=officer, reason="Cấp nhầm.")
    replacement = _result(officer, number="9/2026/KS")
    Result.objects.filter(pk=replacement.pk).update(status=ResultStatus.VALID)
    return services.result_supersede(
        result=result, replacement=replacement, actor=officer, reason="Cấp lại."
    )


ALLOWED = {
    ("preparing", "revoke"): "revoked",
    ("valid", "revoke"): "revoked",
    ("valid", "supersede"): "superseded",
}
ACTIONS = {"revoke": ResultAction.REVOKE, "supersede": ResultAction.SUPERSEDE}


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["preparing", "valid", "revoked", "superseded"])
@pytest.mark.parametrize("transition", ["revoke", "supersede"])
def test_every_status_and_transition(officer, status, transition):
    result = _in_status(officer, status)
    events = ResultEvent.objects.filter(result=result, action=ACTIONS[transition])

    if (status, transition) in ALLOWED:
        changed = _transition(transition, result, officer)
        assert changed.status == ALLOWED[(status, transition)]
        assert Result.objects.get(pk=result.pk).status == ALLOWED[(status, transition)]
        assert events.count() == 1
    else:
        with pytest.raises(ValidationError):
            _transition(transition, result, officer)
        assert Result.objects.get(pk=result.pk).status == status
        assert events.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["preparing", "valid", "revoked", "superseded"])
def test_signing_moves_only_a_result_being_prepared_and_writes_one_event(
    officer, status, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    result = _in_status(officer, status)

    services.result_sign(result.pk)
    services.result_sign(result.pk)  # a task run twice

    after = Result.objects.get(pk=result.pk)
    signs = ResultEvent.objects.filter(result=result, action=ResultAction.SIGN).count()
    if status == "preparing":
        assert (after.status, signs, bool(after.pdf)) == ("valid", 1, True)
    else:
        assert (after.status, signs, bool(after.pdf)) == (status, 0, False)


@pytest.mark.django_db
def test_the_status_cannot_be_assigned_by_hand(officer):
    result = _result(officer)

    with pytest.raises(AttributeError):
        result.status = ResultStatus.VALID


# -- Who issues what ---------------------------------------------------------


@pytest.mark.django_db
def test_an_agency_cannot_issue_a_result_type_of_procedures_it_does_not_handle(officer):
    licence = ResultTypeFactory(code="KQ.G09.000001", name="Giấy phép lái xe")
    ProcedureFactory(agencies=[AgencyFactory(name="Công an thành phố")]).result_types.add(licence)

    with pytest.raises(ValidationError) as refused:
        services.result_issue(
            result_type=licence,
            agency=officer.memberships.get().agency,
            holder_national_id="048190001234",
            holder_name="Nguyễn Thị Ánh Tuyết",
            issued_on=timezone.localdate(),
            data={"Hạng": "B2"},
            actor=officer,
        )
    assert "result_type" in refused.value.message_dict
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_a_ward_officer_is_offered_and_may_digitize_only_its_procedures_result_types(
    client, officer
):
    agency = officer.memberships.get().agency
    own = ResultTypeFactory(code="KQ.G15.000031", name="Giấy khai sinh")
    ProcedureFactory(agencies=[agency]).result_types.add(own)
    licence = ResultTypeFactory(code="KQ.G09.000001", name="Giấy phép lái xe")
    ProcedureFactory(agencies=[AgencyFactory(name="Công an thành phố")]).result_types.add(licence)
    client.force_login(officer)
    url = reverse("results_store:digitize")

    offered = client.get(url).context["form"].fields["result_type"].queryset
    response = client.post(
        url,
        {
            "agency": agency.pk,
            "result_type": licence.pk,  # forged: not offered
            "number": "123456",
            "issued_on": "2020-01-02",
            "holder_national_id": "048190001234",
            "holder_name": "Nguyễn Thị Ánh Tuyết",
            "content": "Hạng: B2",
            "scan": upload("scan.pdf", pdf_bytes()),
        },
    )

    assert list(offered) == [own]
    assert response.status_code in (200, 400)
    assert "result_type" in response.context["form"].errors
    assert not Result.objects.exists()


# -- Numbers -----------------------------------------------------------------


@pytest.mark.django_db
def test_automatic_numbers_skip_a_number_typed_by_hand(officer):
    _result(officer, number="1/2026/000038")
    result_type = Result.objects.get().result_type
    agency = officer.memberships.get().agency

    numbers = [
        services.result_number_next(
            agency=agency, result_type=result_type, issued_on=timezone.localdate()
        )
        for _ in range(2)
    ]

    year = timezone.localdate().year
    assert numbers == [f"2/{year}/000038", f"3/{year}/000038"]


COMPLETES = 80


@pytest.mark.django_db(transaction=True)
def test_concurrent_completes_of_different_dossiers_all_succeed_with_distinct_numbers():
    c = cast()
    c.applicant.national_id = "048190000123"
    c.applicant.save()
    result_type = ResultTypeFactory(code="KQ.G15.000038")
    c.procedure.result_types.add(result_type)
    dossiers = [dossier_in(DossierState.RECEIVED, c) for _ in range(COMPLETES)]

    def complete(dossier):
        return lambda: dossier_services.dossier_complete(
            dossier=dossier,
            actor=c.officer,
            outcome="Đã cấp giấy xác nhận",
            result_type=result_type,
            result_content={"Tình trạng hôn nhân": "Chưa kết hôn"},
        )

    outcomes = run_together(*(complete(dossier) for dossier in dossiers))

    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    states = set(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state", flat=True)
    )
    assert states == {DossierState.COMPLETED}
    numbers = list(Result.objects.values_list("number", flat=True))
    assert len(numbers) == COMPLETES
    assert len(set(numbers)) == COMPLETES


@pytest.mark.django_db
def test_a_signing_that_fails_after_storing_its_pdf_leaves_no_file_and_a_retry_one(
    officer, settings, tmp_path, monkeypatch
):
    from django.core.files.storage import default_storage
    from django.db import OperationalError

    settings.MEDIA_ROOT = tmp_path
    result = _result(officer)

    def database_gone(*args, **kwargs):
        raise OperationalError("the server closed the connection")

    with monkeypatch.context() as patched:
        patched.setattr(services, "_event", database_gone)
        with pytest.raises(OperationalError):
            services.result_sign(result.pk)
    assert not default_storage.exists("results") or default_storage.listdir("results") == ([], [])
    assert Result.objects.get(pk=result.pk).status == ResultStatus.PREPARING

    services.result_sign(result.pk)

    assert default_storage.listdir("results")[1] == [f"{result.public_id.hex}.pdf"]
    assert Result.objects.get(pk=result.pk).status == ResultStatus.VALID


@pytest.mark.django_db
def test_a_file_left_by_a_killed_signing_is_replaced_not_kept_beside(officer, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    result = _result(officer)
    default_storage.save(f"results/{result.public_id.hex}.pdf", ContentFile(b"half written"))

    services.result_sign(result.pk)

    signed = Result.objects.get(pk=result.pk)
    assert default_storage.listdir("results")[1] == [f"{result.public_id.hex}.pdf"]
    assert signed.pdf.name == f"results/{result.public_id.hex}.pdf"
    assert signed.pdf.read().startswith(b"%PDF")
