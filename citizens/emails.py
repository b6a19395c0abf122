"""Account mails (registration), sent at once like Django's password reset mails.

They are not dossier notifications: they go to an address that may have no
account yet, so they do not use the notifications outbox.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_account_mail(template_prefix: str, context: dict, *, to: str) -> None:
    """Render <prefix>_subject.txt, _body.txt and _body.html and send them."""
    subject = "".join(render_to_string(f"{template_prefix}_subject.txt", context).splitlines())
    body = render_to_string(f"{template_prefix}_body.txt", context)
    html = render_to_string(f"{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
