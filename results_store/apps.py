from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsStoreConfig(AppConfig):
    name = "results_store"
    verbose_name = _("Results store")

    def ready(self):
        from results_store import signals  # noqa: F401  (connects the receivers)
