"""Signing a result's token the way `services.result_sign` does, without the PDF."""

import hashlib

from django.utils import timezone

from result_verifier import tokens
from results_store import keys, services
from results_store.constants import ResultStatus
from results_store.models import Result


def sign_token(result: Result, content: bytes) -> str:
    """Token, key, content hash and VALID status, as if `content` were the result's PDF."""
    signing_key = keys.active_signing_key(result.agency)
    content_sha256 = hashlib.sha256(content).hexdigest()
    token = tokens.sign(
        services.facts_for(result, content_sha256),
        kid=signing_key.kid,
        key=keys.private_key(signing_key),
        signed_at=timezone.now(),
    )
    Result.objects.filter(pk=result.pk).update(
        token=token,
        signing_key=signing_key,
        content_sha256=content_sha256,
        status=ResultStatus.VALID,
        status_changed_at=timezone.now(),
    )
    result.refresh_from_db()
    return token


def issue_result(**kwargs) -> Result:
    """`services.result_issue`, for an agency that handles a procedure issuing the result type.

    An agency issues only the result types of its procedures; tests that are
    about something else give it one.
    """
    from tests.factories import ProcedureFactory

    agency, result_type = kwargs["agency"], kwargs["result_type"]
    if not agency.procedures.filter(result_types=result_type).exists():
        ProcedureFactory(agencies=[agency]).result_types.add(result_type)
    return services.result_issue(**kwargs)


def ward_officer(name: str = "Ủy ban nhân dân phường Hải Châu", **agency_fields):
    """An officer of a new ward, who issues its results."""
    from citizens.constants import MembershipRole
    from citizens.models import Membership
    from tests.factories import AgencyFactory, UserFactory

    user = UserFactory()
    Membership.objects.create(
        user=user, agency=AgencyFactory(name=name, **agency_fields), role=MembershipRole.OFFICER
    )
    return user
