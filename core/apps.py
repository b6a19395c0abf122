from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The helpers every app shares: uploads, files, PDFs, widgets, links, side effects.

    The lowest layer but one (docs/adr/0013-app-layout.md): it imports no app.
    """

    name = "core"
    verbose_name = "Core"
