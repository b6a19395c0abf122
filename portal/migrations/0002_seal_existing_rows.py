"""Start the chain with the audit rows written before it existed (ADR 10).

Sealed table by table in id order; the chain vouches for them from now on,
not for what happened to them before.
"""

from django.db import migrations

from portal import audit

BATCH = 2000


def seal_existing(apps, schema_editor):
    using = schema_editor.connection.alias
    AuditSeal = apps.get_model("portal", "AuditSeal")
    audit._lock_chain(using)
    head = AuditSeal.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = head if head else (0, audit.GENESIS_HASH)
    for source, layouts in audit.AUDITED.items():
        model = apps.get_model(source)
        fields = [f.attname for f in model._meta.concrete_fields]
        sealed = AuditSeal.objects.using(using).filter(source=source).values("source_id")
        rows = model._base_manager.using(using).exclude(pk__in=sealed).order_by("pk")
        last_pk = None
        while True:
            page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
            batch = list(page.values(*fields)[:BATCH])
            if not batch:
                break
            seals = []
            for values in batch:
                seq += 1
                digest = audit.row_digest(values, layouts[-1])
                link = audit.link_hash(
                    prev_hash=prev_hash,
                    seq=seq,
                    event="insert",
                    source=source,
                    source_id=values["id"],
                    layout=len(layouts),
                    row_digest=digest,
                )
                seals.append(
                    AuditSeal(
                        seq=seq,
                        event="insert",
                        source=source,
                        source_id=values["id"],
                        layout=len(layouts),
                        row_digest=digest,
                        prev_hash=prev_hash,
                        hash=link,
                    )
                )
                prev_hash = link
            AuditSeal.objects.using(using).bulk_create(seals)
            last_pk = batch[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("citizens", "0005_identity_levels"),
        ("dossiers", "0007_file_viewed_action"),
        ("results_store", "0006_file_viewed_action"),
    ]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
