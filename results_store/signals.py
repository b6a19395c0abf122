"""What the results store does when others change: verified holders, new agencies, migrate.

A typed citizen ID is only a claim (ADR 8): results go to an account once its
identity is verified, in the verification's transaction. Signing keys are
made when an agency is added and at migrate, never during a request.
"""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from citizens.signals import identity_verified
from procedures.models import Agency

logger = logging.getLogger(__name__)


@receiver(identity_verified, dispatch_uid="results_store.claim_on_verification")
def claim_results(sender, user, **kwargs):
    from results_store.services import results_claim_for

    results_claim_for(user)


@receiver(post_save, sender=Agency, dispatch_uid="results_store.key_for_new_agency")
def key_for_new_agency(sender, instance, created, raw=False, **kwargs):
    """A new agency can sign from its first result: verifiers fetch its key beforehand."""
    from results_store import keys

    if not created or raw:
        return
    try:
        keys.signing_key_generate(agency=instance)
    except keys.RootKeyOffline as error:
        logger.warning(
            "Agency %s has no signing key yet (%s) "
            "Run `manage.py signing_keys ensure --root-key <file>`.",
            instance.code,
            error,
        )


def keys_after_migrate(sender, **kwargs):
    """Every key exists before the first request (and before verifiers cache the key set)."""
    from results_store import keys

    try:
        created = keys.signing_keys_ensure()
    except keys.RootKeyOffline as error:
        logger.warning(
            "Some agencies have no signing key yet (%s) "
            "Run `manage.py signing_keys ensure --root-key <file>`.",
            error,
        )
        return
    if created:
        logger.info("Created %d signing keys.", len(created))
