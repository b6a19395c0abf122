from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsStoreConfig(AppConfig):
    name = "results_store"
    verbose_name = _("Results store")

    def ready(self):
        from django.db.models.signals import post_migrate

        from results_store import signals

        post_migrate.connect(
            signals.keys_after_migrate, sender=self, dispatch_uid="results_store.keys"
        )
