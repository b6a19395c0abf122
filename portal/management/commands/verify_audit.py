"""Check the audit trail against its hash chain (ADR 10).

Prints OK with counts and the chain's head, which is worth keeping somewhere
the database's administrators cannot write (the log does): given back with
`--anchor SEQ:HASH`, it proves the chain was not rewritten since. Otherwise
names the first broken row and exits with status 1. For operators, in English.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from portal import audit

logger = logging.getLogger("portal.audit")


def _anchor(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(f"An anchor is SEQ:HASH (64 hex digits), not {value!r}.")
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = "Walk the audit chain, recompute every link and row digest, report the first break."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head printed by an earlier run; it must still be in the chain.",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        anchors = dict(_anchor(value) for value in options["anchor"])
        report = audit.verify_chain(
            chunk_size=options["chunk_size"], anchors=anchors, using=options["database"]
        )
        broken = report.broken
        if broken is not None:
            where = f"table {broken.table}" if broken.source else "the chain"
            if broken.source_id is not None:
                where += f", id {broken.source_id}"
            if broken.seq is not None:
                where += f", seal {broken.seq}"
            message = f"BROKEN: {broken.problem} ({where}): {broken.detail}"
            logger.error(message)
            self.stderr.write(message)
            self.stderr.write(f"{report.seals} seals checked before it.")
            raise SystemExit(1)
        counts = ", ".join(f"{source} {n}" for source, n in sorted(report.per_source.items()))
        head = f"{report.head[0]}:{report.head[1]}" if report.head else "none (empty chain)"
        message = (
            f"OK: {report.seals} seals ({counts or 'no rows'}; {report.purged} purged), "
            f"every row sealed. Head {head}"
        )
        logger.info(message)
        self.stdout.write(message)
