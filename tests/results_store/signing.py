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
