"""factory_boy factories for the catalog, accounts and dossiers."""

import functools
from datetime import timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dossiers.constants import DossierState
from procedures.constants import AdministrativeLevel, AgencyKind, ServiceLevel


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procedures.Agency"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T.{n:04d}.TEST")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân phường số {n}")
    name_en = factory.Sequence(lambda n: f"Ward {n} People's Committee")
    level = AdministrativeLevel.COMMUNE
    kind = AgencyKind.PEOPLES_COMMITTEE


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procedures.Field"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"field-{n}")
    name = "Hộ tịch"
    name_en = "Civil status"


class ResultTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procedures.ResultType"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KQ.TEST.{n:06d}")
    name = "Giấy khai sinh"
    name_en = "Birth certificate"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procedures.Procedure"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = "Thủ tục đăng ký khai sinh"
    name_en = "Birth registration"
    field = factory.SubFactory(FieldFactory)
    level = AdministrativeLevel.COMMUNE
    service_level = ServiceLevel.FULL_ONLINE
    processing_time = 3
    fee_vnd = 20000
    fee_online_vnd = 10000

    class Params:
        in_person = factory.Trait(service_level=ServiceLevel.IN_PERSON)
        inactive = factory.Trait(is_active=False)

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)


TEST_PASSWORD = "a-long-test-password"


@functools.cache
def _test_password_hash() -> str:
    # Argon2 is slow by design; hash the shared test password once per run.
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "citizens.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = "Trần Thị Bình"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.LazyFunction(lambda: _test_password_hash())

    class Params:
        administrator = factory.Trait(is_staff=True, is_superuser=True)


def _dossier_sort_at(dossier) -> object:
    """What the transitions would have put in sort_at for the dossier's state."""
    if dossier.state == DossierState.RECEIVED:
        return dossier.due_at
    if dossier.state in (DossierState.REJECTED, DossierState.COMPLETED):
        return dossier.closed_at
    if dossier.state == DossierState.SUBMITTED:
        return dossier.submitted_at
    return dossier.state_changed_at


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier in any state, one trait per state: DossierFactory(received=True).

    `state` is a protected FSMField, which django-fsm lets the constructor set,
    so the traits pass it at creation. The timestamps, the code and `sort_at`
    follow the state as the transitions would have set them; pass
    `submitted_at` (and the others) to place a dossier in time.
    """

    class Meta:
        model = "dossiers.Dossier"
        skip_postgeneration_save = True

    class Params:
        filed = False
        submitted = factory.Trait(filed=True, state=DossierState.SUBMITTED)
        received = factory.Trait(
            filed=True,
            state=DossierState.RECEIVED,
            received_at=factory.LazyAttribute(lambda o: o.submitted_at + timedelta(hours=2)),
            due_at=factory.LazyAttribute(lambda o: o.received_at + timedelta(days=5)),
        )
        supplement_requested = factory.Trait(
            filed=True,
            state=DossierState.SUPPLEMENT_REQUESTED,
            state_changed_at=factory.LazyAttribute(lambda o: o.submitted_at + timedelta(hours=3)),
        )
        rejected = factory.Trait(
            filed=True,
            state=DossierState.REJECTED,
            closed_at=factory.LazyAttribute(lambda o: o.submitted_at + timedelta(hours=3)),
        )
        completed = factory.Trait(
            filed=True,
            state=DossierState.COMPLETED,
            received_at=factory.LazyAttribute(lambda o: o.submitted_at + timedelta(hours=2)),
            due_at=factory.LazyAttribute(lambda o: o.received_at + timedelta(days=5)),
            closed_at=factory.LazyAttribute(lambda o: o.received_at + timedelta(days=2)),
            outcome="Đã cấp kết quả.",
        )

    agency = factory.SubFactory(AgencyFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    applicant = factory.SubFactory(UserFactory)
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.get_full_name())
    state = DossierState.DRAFT
    code = factory.Maybe(
        "filed",
        yes_declaration=factory.LazyAttributeSequence(
            lambda o, n: f"{o.agency.code}-{timezone.localdate(o.submitted_at):%y%m%d}-{n:04d}"
        ),
        no_declaration=None,
    )
    submitted_at = factory.Maybe(
        "filed",
        yes_declaration=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        no_declaration=None,
    )
    received_at = None
    due_at = None
    closed_at = None
    fee_vnd = factory.Maybe(
        "filed",
        yes_declaration=factory.LazyAttribute(lambda o: o.procedure.effective_fee_online_vnd),
        no_declaration=None,
    )
    state_changed_at = factory.LazyAttribute(
        lambda o: o.closed_at or o.received_at or o.submitted_at or timezone.now()
    )
    sort_at = factory.LazyAttribute(_dossier_sort_at)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        dossier = model_class(*args, **kwargs)
        dossier.refresh_search_text()
        dossier.save(force_insert=True)
        return dossier

    @factory.post_generation
    def link_procedure_to_agency(self, create, extracted, **kwargs):
        if create:
            self.procedure.agencies.add(self.agency)
