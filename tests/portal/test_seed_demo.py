"""`manage.py seed_demo`: the Da Nang demo catalog and accounts, loadable any number of times."""

import copy
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from citizens.constants import MembershipRole
from citizens.models import Membership
from portal.management.commands.seed_demo import (
    CATALOG_PATH,
    DEMO_PASSWORD,
    _read_catalog,
    catalog_load,
)
from procedures.constants import (
    AdministrativeLevel,
    AgencyKind,
    FormFieldType,
    PrefillSource,
    ServiceLevel,
    TimeUnit,
)
from procedures.models import Agency, DocumentComponent, Field, Procedure

pytestmark = pytest.mark.django_db

CITY = "000.00.00.H15"
BIRTH_REGISTRATION = "1.001193"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fast_hashing(settings):
    """Argon2 costs a fifth of a second per account; tests not about hashing skip it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table, ids included, in a comparable form."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def test_catalog_has_at_least_20_procedures_in_at_least_6_fields():
    seed("--no-accounts")

    assert Procedure.objects.active().count() >= 20
    assert Field.objects.filter(procedures__isnull=False).distinct().count() >= 6
    assert not Procedure.objects.filter(agencies__isnull=True).exists()


def test_agencies_form_a_tree_under_the_city():
    seed("--no-accounts")

    city = Agency.objects.get(code=CITY)
    assert city.name == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert (city.parent, city.level, city.kind) == (
        None,
        AdministrativeLevel.PROVINCE,
        AgencyKind.PEOPLES_COMMITTEE,
    )
    departments = city.children.filter(kind=AgencyKind.DEPARTMENT)
    wards = city.children.filter(
        level=AdministrativeLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE
    )
    assert departments.count() >= 3
    assert wards.count() >= 4
    assert city.children.filter(kind=AgencyKind.SERVICE_CENTRE).count() == 1
    for agency in Agency.objects.exclude(pk=city.pk):
        assert agency.ancestors()[-1] == city


def test_birth_registration_matches_its_national_record():
    seed("--no-accounts")

    birth = Procedure.objects.get(code=BIRTH_REGISTRATION)
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.name_en == "Birth registration"
    assert birth.field.name == "Hộ tịch"
    assert birth.level == AdministrativeLevel.COMMUNE
    assert birth.service_level == ServiceLevel.FULL_ONLINE
    assert (birth.processing_time, birth.time_unit, birth.same_day) == (
        1,
        TimeUnit.WORKING_DAYS,
        True,
    )
    assert (birth.fee_vnd, birth.fee_online_vnd) == (0, 0)
    assert [r.code for r in birth.result_types.all()] == ["KQ.G15.000031"]
    components = list(birth.components.all())
    assert len(components) == 7
    assert components[0].name.startswith("Tờ khai đăng ký khai sinh")
    assert components[1].name.startswith("Giấy chứng sinh")
    assert [c.is_required for c in components] == [True, True, False, False, False, True, False]
    assert birth.legal_bases.filter(number="60/2014/QH13", title="Luật Hộ tịch").exists()
    assert birth.agencies.count() == 6
    assert set(birth.agencies.values_list("level", flat=True)) == {AdministrativeLevel.COMMUNE}


def test_birth_registration_form_asks_for_the_child_and_prefills_the_applicant():
    seed("--no-accounts")

    form = {f.key: f for f in Procedure.objects.get(code=BIRTH_REGISTRATION).form_fields.all()}
    assert form["full_name"].prefill_source == PrefillSource.FULL_NAME
    assert form["national_id"].field_type == FormFieldType.NATIONAL_ID
    assert form["national_id"].prefill_source == PrefillSource.NATIONAL_ID
    assert form["child_gender"].field_type == FormFieldType.CHOICE
    assert form["child_gender"].choice_list == ["Nam", "Nữ"]
    assert form["child_full_name"].label == "Họ, chữ đệm và tên của trẻ"
    assert form["child_full_name"].label_en == "Child's full name"
    assert {"child_date_of_birth", "child_place_of_birth", "father_full_name"} <= set(form)


def test_every_procedure_form_starts_with_the_applicant_fields():
    seed("--no-accounts")

    for procedure in Procedure.objects.prefetch_related("form_fields"):
        keys = [f.key for f in procedure.form_fields.all()]
        assert keys[:3] == ["full_name", "national_id", "date_of_birth"], procedure.code


def test_stored_results_satisfy_the_components_they_replace():
    seed("--no-accounts")

    old_birth_certificate = DocumentComponent.objects.get(
        procedure__code="1.004884", name__startswith="Bản sao Giấy khai sinh cũ"
    )
    assert "KQ.G15.000031" in {r.code for r in old_birth_certificate.satisfied_by.all()}
    household_business = DocumentComponent.objects.get(
        procedure__code="2.001610",
        name__startswith="Bản sao Giấy chứng nhận đăng ký hộ kinh doanh",
    )
    assert [r.code for r in household_business.satisfied_by.all()] == ["KQ.G12.001041"]


def test_seeding_twice_changes_no_row(fast_hashing):
    seed()
    User = get_user_model()
    first = snapshot()
    hashes = dict(User.objects.values_list("username", "password"))

    seed()

    assert {label: len(rows) for label, rows in snapshot().items()} == {
        label: len(rows) for label, rows in first.items()
    }
    assert snapshot() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_reloading_a_changed_catalog_keeps_the_ids_of_unchanged_components():
    seed("--no-accounts")
    birth = Procedure.objects.get(code=BIRTH_REGISTRATION)
    ids = {c.name: c.pk for c in birth.components.all()}
    data = _read_catalog(CATALOG_PATH)
    entry = next(p for p in data["procedures"] if p["code"] == BIRTH_REGISTRATION)
    removed = entry["components"].pop()
    new = copy.deepcopy(entry["components"][0]) | {"name": "Giấy tờ mới"}
    entry["components"].insert(0, new)

    catalog_load(data)

    components = list(birth.components.all())
    assert components[0].name == "Giấy tờ mới"
    assert {c.name: c.pk for c in components[1:]} == {
        name: pk for name, pk in ids.items() if name != removed["name"]
    }
    assert [c.position for c in components] == list(range(1, 8))


def test_demo_accounts_have_their_roles_and_the_demo_password():
    seed()
    User = get_user_model()

    citizen = User.objects.get(username="citizen")
    assert citizen.full_name == "Nguyễn Văn An"
    assert not citizen.memberships.exists()
    officer = User.objects.get(username="officer.hai-chau")
    assert officer.password.startswith("argon2")
    assert officer.check_password(DEMO_PASSWORD)
    assert officer.memberships.get().agency.name == "Ủy ban nhân dân phường Hải Châu"
    assert officer.memberships.get().role == MembershipRole.OFFICER
    supervisor = User.objects.get(username="supervisor")
    assert supervisor.memberships.get().role == MembershipRole.SUPERVISOR
    assert supervisor.memberships.get().agency.code == CITY
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_every_agency_handling_a_procedure_has_an_officer(fast_hashing):
    seed()

    handling = set(Agency.objects.filter(procedures__isnull=False).values_list("pk", flat=True))
    staffed = set(
        Membership.objects.filter(role=MembershipRole.OFFICER).values_list("agency", flat=True)
    )
    assert handling <= staffed


def test_output_lists_the_demo_logins(fast_hashing):
    output = seed()

    assert "Demo logins" in output
    for username in ("citizen", "officer.hai-chau", "supervisor", "admin"):
        assert username in output
    assert DEMO_PASSWORD in output


def test_no_accounts_option_creates_no_user():
    seed("--no-accounts")

    assert not get_user_model().objects.exists()


def test_demo_accounts_are_refused_on_a_deployment(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-key-of-a-deployed-portal-0123456789"

    with pytest.raises(CommandError, match="--no-accounts"):
        seed()
    assert not get_user_model().objects.exists()
    seed("--no-accounts")
    assert Procedure.objects.exists()
