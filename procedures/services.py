"""Writes to the procedure catalog: agencies, fields, result types, procedures.

Each `*_upsert` finds its row by a stable key (a code, a date), creates it if
missing, and otherwise writes only the values that differ. Loading the same
data twice therefore changes nothing, not even `Procedure.updated_at`, and
row ids stay stable, which matters because dossiers point at procedures and
their document components.

Values are passed as keyword arguments named after model fields. A field that
is not passed keeps its stored value (or the model default on creation); a
field that is passed is set, `None` included. Many-to-many sets are replaced
with `RelatedManager.set()`, which only adds and removes the differences.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from procedures.models import (
    Agency,
    CalendarException,
    DocumentComponent,
    Field,
    FormField,
    LegalBasis,
    Procedure,
    ResultType,
)


def _check_field_names(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Refuse unknown or many-to-many names, so a typo is an error, not a no-op."""
    for name in values:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise TypeError(f"{model.__name__} has no field {name!r}.") from None
        if field.many_to_many or field.one_to_many or not field.concrete:
            raise TypeError(f"{model.__name__}.{name} is a relation set; pass it separately.")


def _upsert(
    model: type[models.Model],
    *,
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    exclude_from_validation: Sequence[str] = (),
) -> models.Model:
    """Create the row matching `lookup`, or update only its fields that differ."""
    _check_field_names(model, {**lookup, **values})
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        return _create(model, {**lookup, **values}, exclude_from_validation)
    _update(instance, values, exclude_from_validation)
    return instance


def _create(
    model: type[models.Model], values: Mapping[str, Any], exclude: Sequence[str] = ()
) -> models.Model:
    instance = model(**values)
    instance.full_clean(exclude=list(exclude))
    instance.save()
    return instance


def _update(instance: models.Model, values: Mapping[str, Any], exclude: Sequence[str] = ()) -> None:
    changed = [name for name, value in values.items() if not _same(instance, name, value)]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.full_clean(exclude=list(exclude))
        # update_fields skips auto_now fields unless named: a change must show.
        touched = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=[*changed, *touched])


def _same(instance: models.Model, name: str, given: Any) -> bool:
    field = instance._meta.get_field(name)
    if field.many_to_one:
        # Compare foreign keys by id so an unchanged parent costs no query.
        given_id = given.pk if isinstance(given, models.Model) else given
        return getattr(instance, field.attname) == given_id
    return getattr(instance, name) == given


def agency_upsert(*, code: str, **values: Any) -> Agency:
    """Create or update the agency with this electronic ID (`parent` is an Agency)."""
    with transaction.atomic():
        return _upsert(Agency, lookup={"code": code}, values=values)


def field_upsert(*, code: str, **values: Any) -> Field:
    with transaction.atomic():
        return _upsert(Field, lookup={"code": code}, values=values)


def result_type_upsert(*, code: str, **values: Any) -> ResultType:
    with transaction.atomic():
        return _upsert(ResultType, lookup={"code": code}, values=values)


def calendar_exception_upsert(*, date: datetime.date, **values: Any) -> CalendarException:
    with transaction.atomic():
        return _upsert(CalendarException, lookup={"date": date}, values=values)


def procedure_upsert(
    *,
    code: str,
    agencies: Iterable[Agency] | None = None,
    result_types: Iterable[ResultType] | None = None,
    legal_bases: Sequence[Mapping[str, Any]] | None = None,
    components: Sequence[Mapping[str, Any]] | None = None,
    form_fields: Sequence[Mapping[str, Any]] | None = None,
    **values: Any,
) -> Procedure:
    """Create or update a procedure and, when given, its relations and child rows.

    A relation or child list left as `None` is not touched. A given list
    becomes the whole set, in the given order (`position` is set from it):

    * `legal_bases`: mappings of LegalBasis fields, matched by `number`;
    * `components`: mappings of DocumentComponent fields, matched by `name`,
      with an optional `satisfied_by` iterable of ResultType;
    * `form_fields`: mappings of FormField fields, matched by `key`; `choices`
      and `choices_en` may be lists, stored one per line.

    Rows are matched by name rather than by position so that inserting a
    document keeps the ids of the others (dossiers refer to them); rows no
    longer listed are deleted.
    """
    with transaction.atomic():
        procedure = _upsert(
            Procedure,
            lookup={"code": code},
            values=values,
            exclude_from_validation=["search_text"],
        )
        if agencies is not None:
            procedure.agencies.set(list(agencies))
        if result_types is not None:
            procedure.result_types.set(list(result_types))
        if legal_bases is not None:
            _sync_children(procedure, LegalBasis, legal_bases, key="number")
        if components is not None:
            _sync_children(procedure, DocumentComponent, components, key="name")
        if form_fields is not None:
            rows = [_with_choice_text(row) for row in form_fields]
            _sync_children(procedure, FormField, rows, key="key")
        return procedure


def _with_choice_text(row: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for name in ("choices", "choices_en"):
        if isinstance(row.get(name), list | tuple):
            row[name] = "\n".join(row[name])
    return row


def _sync_children(
    procedure: Procedure,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str,
) -> None:
    """Make the procedure's rows of `model` match `rows`, keyed by the `key` field."""
    existing: dict[Any, models.Model] = {}
    duplicates: list[models.Model] = []
    for child in model._default_manager.filter(procedure=procedure).order_by("position", "id"):
        if getattr(child, key) in existing:
            duplicates.append(child)
        else:
            existing[getattr(child, key)] = child

    seen: set[Any] = set()
    for position, row in enumerate(rows, start=1):
        values = dict(row)
        # Only components have `satisfied_by`; elsewhere the name check refuses it.
        satisfied_by = values.pop("satisfied_by", None) if model is DocumentComponent else None
        identity = values.pop(key)
        if identity in seen:
            raise ValueError(f"{procedure.code}: {model.__name__} {identity!r} is listed twice.")
        seen.add(identity)
        values["position"] = position
        _check_field_names(model, values)
        child = existing.pop(identity, None)
        if child is None:
            child = _create(model, {"procedure": procedure, key: identity, **values})
        else:
            _update(child, values)
        if satisfied_by is not None:
            child.satisfied_by.set(list(satisfied_by))

    stale = [*existing.values(), *duplicates]
    if stale:
        model._default_manager.filter(pk__in=[child.pk for child in stale]).delete()
