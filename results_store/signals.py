"""Results issued to a citizen ID before its holder was verified reach the account.

A typed citizen ID is only a claim (ADR 8): results go to an account once its
identity is verified, in the verification's transaction.
"""

from django.dispatch import receiver

from citizens.signals import identity_verified


@receiver(identity_verified, dispatch_uid="results_store.claim_on_verification")
def claim_results(sender, user, **kwargs):
    from results_store.services import results_claim_for

    results_claim_for(user)
