"""The tamper-evident audit trail: sealing audit rows into one hash chain (ADR 10).

The portal's append-only audit tables are listed in `AUDITED`. Every row
written to one of them is sealed by a `post_save` receiver, in the writer's
transaction: its fields as the database stored them are digested (SHA-256 of
a canonical JSON) and linked to the previous seal. On PostgreSQL an advisory
transaction lock makes the chain linear; SQLite serialises writers anyway.

Audit rows are never changed, and deleted only inside `audit_purge(...)`,
which records each deletion in the chain too. Database triggers (migration
portal 0002) refuse anything else on PostgreSQL; the receivers below refuse it
through the ORM on every database.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save, pre_delete, pre_save

from portal.models import AuditSeal, SealEvent

# The audited tables and, for each, the fields its digests cover: one tuple
# per layout, the last for new rows. A column added to an audited model gets
# a new layout (the old tuple plus the column) so that older seals still
# verify against the fields they were made from; tests check the last layout
# names every column.
AUDITED: dict[str, tuple[tuple[str, ...], ...]] = {
    "dossiers.dossierevent": (
        (
            "id",
            "dossier_id",
            "action",
            "actor_id",
            "from_state",
            "to_state",
            "reason",
            "data",
            "created_at",
        ),
    ),
    "results_store.resultevent": (
        ("id", "result_id", "action", "actor_id", "reason", "created_at"),
    ),
    "citizens.accountevent": (("id", "user_id", "actor_id", "action", "detail", "address", "at"),),
    "citizens.walletaccess": (
        ("id", "item_id", "accessed_by_id", "agency_id", "reference", "accessed_at"),
    ),
}

GENESIS_HASH = "0" * 64

# The key of the PostgreSQL advisory lock that orders the chain's writers
# (any constant; this one spells "audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974

# The session setting under which the triggers let an audit row be deleted.
PURGE_SETTING = "portal.audit_purge"

# The reason of the purge in progress in this context, if any.
_purge_reason: ContextVar[str | None] = ContextVar("audit_purge_reason", default=None)


class AuditRowProtected(IntegrityError):
    """An audit row was to be changed, or deleted outside `audit_purge`."""


def audited_model(source: str):
    return apps.get_model(source)


def source_of(model) -> str:
    return model._meta.label_lower


# --------------------------------------------------------------------------
# Digests and links
# --------------------------------------------------------------------------


def _plain(value):
    """A field's value as canonical JSON holds it; datetimes in UTC, so any reader agrees."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def row_digest(values: dict, fields: tuple[str, ...]) -> str:
    """SHA-256 of the fields, by name, as sorted compact JSON. Missing fields raise KeyError."""
    canonical = json.dumps(
        {name: _plain(values[name]) for name in fields},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(
    *,
    prev_hash: str,
    seq: int,
    event: str,
    source: str,
    source_id: int,
    layout: int,
    row_digest: str,
    note: str = "",
) -> str:
    """The seal's hash: everything the seal says, after the previous seal's hash."""
    parts = [prev_hash, str(seq), event, source, str(source_id), str(layout), row_digest, note]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def seal_hash(seal: AuditSeal) -> str:
    return link_hash(
        prev_hash=seal.prev_hash,
        seq=seal.seq,
        event=seal.event,
        source=seal.source,
        source_id=seal.source_id,
        layout=seal.layout,
        row_digest=seal.row_digest,
        note=seal.note,
    )


def stored_values(model, pk, *, using: str) -> dict:
    """The row as the database holds it (what a later verification reads back)."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return model._base_manager.using(using).filter(pk=pk).values(*fields).get()


# --------------------------------------------------------------------------
# Sealing
# --------------------------------------------------------------------------


def _lock_chain(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _append(*, using, event, source, source_id, layout, digest, note="") -> AuditSeal:
    """Add a seal after the chain's head. The caller holds a transaction."""
    _lock_chain(using)
    head = AuditSeal.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    seal = AuditSeal(
        seq=seq,
        event=event,
        source=source,
        source_id=source_id,
        layout=layout,
        row_digest=digest,
        prev_hash=prev_hash,
        note=note[:200],
    )
    seal.hash = seal_hash(seal)
    # A plain INSERT: seq is the primary key, so two writers that ever read
    # the same head (no lock on SQLite) collide instead of forking the chain.
    seal.save(using=using, force_insert=True)
    return seal


def seal_row(instance, *, using: str | None = None) -> AuditSeal:
    """Seal a just-written audit row, in the transaction that wrote it."""
    model = type(instance)
    source = source_of(model)
    layouts = AUDITED[source]
    using = using or instance._state.db or "default"
    with transaction.atomic(using=using):
        values = stored_values(model, instance.pk, using=using)
        return _append(
            using=using,
            event=SealEvent.INSERT,
            source=source,
            source_id=instance.pk,
            layout=len(layouts),
            digest=row_digest(values, layouts[-1]),
        )


@contextmanager
def audit_purge(*, reason: str, using: str = "default"):
    """Allow audit rows to be deleted inside the block, each deletion sealed with `reason`.

    For the few deletes the portal means (a citizen deleting a wallet
    document takes its access rows with it; test and benchmark data): the
    chain keeps that the row existed, its digest, and why it went.
    """
    if not reason:
        raise ValueError("A purge needs a reason.")
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Local to the transaction: a commit or rollback ends it.
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        token = _purge_reason.set(reason)
        try:
            yield
        finally:
            _purge_reason.reset(token)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])


# --------------------------------------------------------------------------
# Receivers
# --------------------------------------------------------------------------


def _sealed_on_create(sender, instance, created, using, **kwargs):
    if created:
        seal_row(instance, using=using)


def _refuse_update(sender, instance, using, **kwargs):
    if not instance._state.adding:
        raise AuditRowProtected(f"{source_of(sender)} rows are append-only.")


def _purge_or_refuse(sender, instance, using, **kwargs):
    reason = _purge_reason.get()
    if reason is None:
        raise AuditRowProtected(
            f"{source_of(sender)} rows are append-only; delete them inside audit_purge()."
        )
    source = source_of(sender)
    values = stored_values(sender, instance.pk, using=using)
    # The digest by the layout of the row's own seal, so a verification can
    # tell the row was purged unchanged.
    layout = (
        AuditSeal.objects.using(using)
        .filter(source=source, source_id=instance.pk, event=SealEvent.INSERT)
        .values_list("layout", flat=True)
        .first()
    ) or len(AUDITED[source])
    with transaction.atomic(using=using):
        _append(
            using=using,
            event=SealEvent.PURGE,
            source=source,
            source_id=instance.pk,
            layout=layout,
            digest=row_digest(values, AUDITED[source][layout - 1]),
            note=reason,
        )


def connect() -> None:
    for source in AUDITED:
        model = audited_model(source)
        uid = f"portal.audit:{source}"
        post_save.connect(_sealed_on_create, sender=model, dispatch_uid=uid)
        pre_save.connect(_refuse_update, sender=model, dispatch_uid=uid)
        pre_delete.connect(_purge_or_refuse, sender=model, dispatch_uid=uid)


# --------------------------------------------------------------------------
# Verification (manage.py verify_audit)
# --------------------------------------------------------------------------


@dataclass
class Break:
    """The first place where the trail and its chain disagree."""

    problem: str
    detail: str
    source: str = ""
    source_id: int | None = None
    seq: int | None = None

    @property
    def table(self) -> str:
        try:
            return audited_model(self.source)._meta.db_table
        except (LookupError, ValueError):
            return self.source


@dataclass
class Verification:
    seals: int = 0
    per_source: Counter = field(default_factory=Counter)
    purged: int = 0
    head: tuple[int, str] | None = None
    broken: Break | None = None


def _rows_for(seals: list[AuditSeal], using: str) -> dict[tuple[str, int], dict]:
    """The current source rows of a batch of seals: one query per table."""
    wanted: dict[str, list[int]] = {}
    for seal in seals:
        if seal.source in AUDITED:
            wanted.setdefault(seal.source, []).append(seal.source_id)
    rows = {}
    for source, ids in wanted.items():
        model = audited_model(source)
        fields = [f.attname for f in model._meta.concrete_fields]
        for values in model._base_manager.using(using).filter(pk__in=ids).values(*fields):
            rows[(source, values["id"])] = values
    return rows


def _check_row(seal: AuditSeal, values: dict | None, using: str) -> Break | None:
    where = {"source": seal.source, "source_id": seal.source_id, "seq": seal.seq}
    if seal.source not in AUDITED:
        return Break("unknown table", f"no audited table is called {seal.source}", **where)
    if seal.event == SealEvent.PURGE:
        if values is not None:
            return Break("row missing", "the row was purged, yet a row has its id again", **where)
        return None
    if values is None:
        purge = (
            AuditSeal.objects.using(using)
            .filter(source=seal.source, source_id=seal.source_id, event=SealEvent.PURGE)
            .first()
        )
        if purge is None:
            return Break("row missing", "the sealed row was deleted without a purge", **where)
        if purge.row_digest != seal.row_digest:
            return Break(
                "row changed", f"the row was changed before purge seal {purge.seq}", **where
            )
        return None
    layouts = AUDITED[seal.source]
    if not 1 <= seal.layout <= len(layouts):
        return Break("row changed", f"the seal names an unknown layout {seal.layout}", **where)
    try:
        digest = row_digest(values, layouts[seal.layout - 1])
    except KeyError as exc:
        return Break("row changed", f"the row has no field {exc}", **where)
    if digest != seal.row_digest:
        return Break("row changed", f"its digest is {digest}, sealed as {seal.row_digest}", **where)
    return None


def _first_unsealed(using: str) -> Break | None:
    """A row without a seal: slipped in past the receivers, as only raw SQL can.

    No grace period: a row and its seal commit together, and a forger would
    choose the row's own timestamp.
    """
    for source in AUDITED:
        model = audited_model(source)
        sealed = AuditSeal.objects.using(using).filter(
            source=source, source_id=OuterRef("pk"), event=SealEvent.INSERT
        )
        pk = (
            model._base_manager.using(using)
            .filter(~Exists(sealed))
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            return Break("unsealed row", "the row has no seal", source=source, source_id=pk)
    return None


def verify_chain(
    *, chunk_size: int = 2000, anchors: dict[int, str] | None = None, using: str = "default"
) -> Verification:
    """Walk the chain in order, recompute every link and row digest; stop at the first break.

    Reads in pages of `chunk_size` seals by keyset (seq), so memory stays flat
    over millions of rows and no cursor or snapshot is held for the whole walk.
    `anchors` are heads recorded earlier ({seq: hash}), which catch a chain
    rewritten from some seal onwards or cut short.
    """
    anchors = dict(anchors or {})
    report = Verification()
    prev_hash, expected = GENESIS_HASH, 1
    while True:
        seals = list(
            AuditSeal.objects.using(using).filter(seq__gte=expected).order_by("seq")[:chunk_size]
        )
        if not seals:
            break
        rows = _rows_for(seals, using)
        for seal in seals:
            where = {"source": seal.source, "source_id": seal.source_id, "seq": seal.seq}
            if seal.seq != expected:
                missing = f"seal {expected}" + (
                    f" to {seal.seq - 1}" if seal.seq > expected + 1 else ""
                )
                report.broken = Break("link broken", f"{missing} is missing", **where)
                return report
            if seal.prev_hash != prev_hash:
                report.broken = Break(
                    "link broken",
                    f"its previous hash is not the hash of seal {seal.seq - 1}",
                    **where,
                )
                return report
            if seal_hash(seal) != seal.hash:
                report.broken = Break(
                    "link broken", "its hash does not match what it seals", **where
                )
                return report
            if seal.seq in anchors and anchors.pop(seal.seq) != seal.hash:
                report.broken = Break(
                    "link broken", "its hash differs from the one recorded earlier", **where
                )
                return report
            broken = _check_row(seal, rows.get((seal.source, seal.source_id)), using)
            if broken is not None:
                report.broken = broken
                return report
            report.seals += 1
            if seal.event == SealEvent.PURGE:
                report.purged += 1
            else:
                report.per_source[seal.source] += 1
            prev_hash, expected = seal.hash, seal.seq + 1
            report.head = (seal.seq, seal.hash)
    if anchors:
        seq = min(anchors)
        report.broken = Break("link broken", f"seal {seq}, recorded earlier, is gone", seq=seq)
        return report
    report.broken = _first_unsealed(using)
    return report
