from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import audit, checks  # noqa: F401  (registers the deployment checks)

        # Every audit row is sealed into the chain as it is written (ADR 10).
        audit.connect()
