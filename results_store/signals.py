"""Results issued to a citizen ID before its account existed reach the account."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from citizens.models import User


@receiver(post_save, sender=User, dispatch_uid="results_store.claim_on_save")
def claim_results(sender, instance: User, raw=False, **kwargs):
    if raw or not instance.national_id:
        return
    from results_store.services import results_claim_for

    results_claim_for(instance)
