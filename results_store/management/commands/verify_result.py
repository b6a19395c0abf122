"""Check a result's QR token or PDF offline, as any independent verifier could.

This is the third-party verifier (`python -m result_verifier`, see
result_verifier/README.md) with the portal's own addresses as defaults: only
published material is used (the trust list, the root, the status list), each
from a saved file or fetched from a URL. The database is never read.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from result_verifier import cli


class Command(BaseCommand):
    help = (
        "Check a result's QR token (its text or link) or its PDF offline, with the published "
        "trust list and, optionally, the root certificate and a saved status list. A PDF's "
        "PAdES signature must chain to the portal's root and cover the whole file, and its QR "
        "token must name the same agency and the PDF's first revision. Prints the verdict in "
        "the words of the verification page; exits 0 only for a valid result."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--token", help="The QR code's text: VN1:… or the verification link.")
        source.add_argument("--pdf", help="A result PDF file.")
        parser.add_argument(
            "--trust-list",
            dest="trust_list",
            help="A saved trust list or its URL. Default: the portal's "
            "/.well-known/result-trust-list.json under PORTAL_BASE_URL.",
        )
        parser.add_argument("--root", help="The root certificate(s) to trust (PEM).")
        parser.add_argument("--status-list", dest="status_list", help="A saved status list or URL.")
        parser.add_argument("--lang", choices=sorted(cli.LABELS), default="vi")

    def handle(self, *args, **options):
        trust_list = options["trust_list"] or settings.PORTAL_BASE_URL + reverse(
            "results_store:trust_list"
        )
        argv = ["--trust-list", trust_list, "--lang", options["lang"]]
        argv += ["--token", options["token"]] if options["token"] else ["--pdf", options["pdf"]]
        for name in ("root", "status_list"):
            if options[name]:
                argv += [f"--{name.replace('_', '-')}", options[name]]
        code = cli.main(argv, out=self.stdout, err=self.stderr)
        if code:
            sys.exit(code)
