"""Load the demo catalog of Da Nang and create the demo accounts.

    python manage.py seed_demo [--no-accounts] [--catalog FILE]

Running it again changes nothing: catalog rows are matched by their codes and
written only where they differ, and accounts are created only when missing
(an existing account, its password included, is left alone).

The catalog file (`procedures/demo/catalog.json`, generated from the national
procedure records by `scripts/convert_national_records.py`) is one JSON object:

    format               "portal-catalog/1"
    notes                free text for people (sources, what is illustrative)
    agencies             [{code, name, name_en, short_name, level, kind,
                           parent: code or null}], parents before children
    fields               [{code (slug), name, name_en}]
    result_types         [{code, name, name_en, validity_months: int or null}]
    calendar_exceptions  [{date: "YYYY-MM-DD", kind, description}]
    procedures           [{code, name, name_en, field: field code, level,
                           agencies: [agency codes], kind, service_level,
                           applicants, applicants_en, processing_time,
                           time_unit, same_day, time_note, fee_vnd,
                           fee_online_vnd, fee_note,
                           result_types: [result type codes],
                           legal_bases: [{number, title, title_en}],
                           components: [{name, name_en, is_required,
                                         copies, copies_en, note, note_en,
                                         accepted_formats,
                                         satisfied_by: [result type codes]}],
                           form_fields: [{key, label, label_en, field_type,
                                          is_required, choices: [str],
                                          choices_en: [str] (as many, or none),
                                          help_text, help_text_en,
                                          prefill_source}],
                           source: {...} provenance for people, not loaded}]

An `*_en` text is what English pages show; empty, they show the Vietnamese
one. The demo leaves some empty on purpose (scripts/convert_national_records.py).

Every other key of an agency or a procedure must be a field of its model
(e.g. `address`, `steps`, `online_reduction_percent`); values of choice
fields are the codes in `procedures.constants`. The order of legal bases,
components and form fields is their display order.

The demo accounts share one password, `DEMO_PASSWORD`, and are listed at the
end of the output. Because that password is public, the command refuses to
create them on a deployment (DEBUG off and a real SECRET_KEY) unless told to
with `--allow-demo-accounts`, e.g. for a public demo site.

Staff pass a second factor (ADR 8). Off a deployment only, the demo staff
accounts are enrolled with authenticator secrets derived from their
usernames and printed beside the logins, so that newcomers and scripts can
compute codes (`manage.py demo_totp <username>` prints the current one). On a
deployment, even with `--allow-demo-accounts`, no secret is made: a secret
anyone can read is no second factor, so demo staff enrol their own.

The demo citizen's identity is verified, as if checked at a one-stop desk,
so that forms show what a verified identity prefills.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizens.constants import IdentityDocumentType, MembershipRole
from citizens.models import Membership
from citizens.services import identity_verify_in_person
from procedures.models import Agency, Field, ResultType
from procedures.services import (
    agency_upsert,
    calendar_exception_upsert,
    field_upsert,
    procedure_upsert,
    result_type_upsert,
)

CATALOG_FORMAT = "portal-catalog/1"
CATALOG_PATH = Path(__file__).resolve().parents[3] / "procedures" / "demo" / "catalog.json"

DEMO_PASSWORD = "demo-portal-2026"

CITIZEN = "citizen"
OFFICER = MembershipRole.OFFICER.value
SUPERVISOR = MembershipRole.SUPERVISOR.value
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    agency_code: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role != CITIZEN


DEMO_ACCOUNTS = [
    DemoAccount("citizen", "Nguyễn Văn An", CITIZEN),
    # One officer for every agency that handles a demo procedure.
    DemoAccount("officer.justice", "Trần Thị Mai", OFFICER, "000.00.02.H15"),
    DemoAccount("officer.construction", "Lê Văn Hùng", OFFICER, "000.00.03.H15"),
    DemoAccount("officer.finance", "Phạm Thị Hồng Nhung", OFFICER, "000.00.04.H15"),
    DemoAccount("officer.agri-env", "Võ Minh Tuấn", OFFICER, "000.00.05.H15"),
    DemoAccount("officer.police", "Đặng Quốc Bảo", OFFICER, "000.00.06.H15"),
    DemoAccount("officer.hai-chau", "Nguyễn Thị Thu Trang", OFFICER, "000.01.00.H15"),
    DemoAccount("officer.hoa-cuong", "Huỳnh Văn Phúc", OFFICER, "000.02.00.H15"),
    DemoAccount("officer.thanh-khe", "Bùi Thị Lan Anh", OFFICER, "000.03.00.H15"),
    DemoAccount("officer.son-tra", "Hoàng Văn Long", OFFICER, "000.04.00.H15"),
    DemoAccount("officer.hoi-an", "Trương Thị Kim Oanh", OFFICER, "000.05.00.H15"),
    DemoAccount("officer.ba-na", "Phan Văn Tài", OFFICER, "000.06.00.H15"),
    DemoAccount("officer.police-hai-chau", "Đỗ Minh Khoa", OFFICER, "000.01.06.H15"),
    DemoAccount("officer.police-hoa-cuong", "Ngô Thị Hạnh", OFFICER, "000.02.06.H15"),
    DemoAccount("officer.police-thanh-khe", "Lý Văn Thành", OFFICER, "000.03.06.H15"),
    DemoAccount("officer.police-son-tra", "Đinh Thị Ngọc Hà", OFFICER, "000.04.06.H15"),
    DemoAccount("officer.police-hoi-an", "Mai Văn Quang", OFFICER, "000.05.06.H15"),
    DemoAccount("officer.police-ba-na", "Châu Thị Diễm", OFFICER, "000.06.06.H15"),
    # The city's operations centre watches every agency from the top of the tree.
    DemoAccount("supervisor", "Lê Thị Thu Hà", SUPERVISOR, "000.00.00.H15"),
    DemoAccount("admin", "Phạm Minh Quân", ADMINISTRATOR),
]

# The one-stop officer who verified the demo citizen's identity at the desk.
DESK_OFFICER = "officer.hai-chau"

# The demo citizen has a complete profile, so forms show what reuse prefills.
# The ID number is consistent with it: Đà Nẵng (048), a man born in the 1990s.
CITIZEN_PROFILE = {
    "national_id": "048090012345",
    "date_of_birth": date(1990, 5, 12),
    "gender": "male",
    "phone": "0905123456",
    "permanent_street": "25 Trần Phú",
    "permanent_ward": "Phường Hải Châu",
    "permanent_province": "Thành phố Đà Nẵng",
    "current_street": "25 Trần Phú",
    "current_ward": "Phường Hải Châu",
    "current_province": "Thành phố Đà Nẵng",
}

# Keys of a catalog procedure that are resolved to objects here, or not loaded.
_PROCEDURE_RELATIONS = {
    "field",
    "agencies",
    "result_types",
    "legal_bases",
    "components",
    "form_fields",
    "source",
}


class Command(BaseCommand):
    help = "Load the demo procedure catalog of Da Nang and create the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catalog",
            type=Path,
            default=CATALOG_PATH,
            help="Catalog file to load (default: the demo catalog of Da Nang).",
        )
        parser.add_argument("--no-accounts", action="store_true", help="Load the catalog only.")
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Create the demo accounts, with their public password, on a deployment.",
        )

    def handle(self, *args, catalog: Path, no_accounts: bool, allow_demo_accounts: bool, **options):
        with_accounts = not no_accounts
        if with_accounts and _is_deployment() and not allow_demo_accounts:
            raise CommandError(
                "This looks like a deployment (DEBUG off, SECRET_KEY set), and the demo "
                "accounts share a public password. Use --no-accounts to load the catalog "
                "only, or --allow-demo-accounts for a public demo site."
            )
        data = _read_catalog(catalog)

        before = _row_counts()
        try:
            with transaction.atomic():
                catalog_load(data)
                if with_accounts:
                    demo_accounts_ensure(with_totp=not _is_deployment())
        except (ValidationError, TypeError, ValueError, KeyError) as error:
            raise CommandError(f"{catalog.name}: {error}") from error
        after = _row_counts()

        self._report(data, before, after)
        if with_accounts:
            self._print_logins(with_totp=not _is_deployment())

    def _report(self, data: dict, before: dict, after: dict) -> None:
        created = sum(after[label] - before[label] for label in after)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog loaded: {len(data['agencies'])} agencies, "
                f"{len(data['fields'])} fields, {len(data['result_types'])} result types, "
                f"{len(data['procedures'])} procedures, "
                f"{len(data.get('calendar_exceptions', []))} calendar exceptions "
                f"({created} new rows)."
            )
        )

    def _print_logins(self, *, with_totp: bool) -> None:
        agencies = {
            agency.code: agency.short_name or agency.name
            for agency in Agency.objects.filter(
                code__in=[a.agency_code for a in DEMO_ACCOUNTS if a.agency_code]
            )
        }
        rows = [("username", "role", "agency", "password", "authenticator secret (TOTP)")]
        rows += [
            (
                account.username,
                account.role,
                agencies.get(account.agency_code, "–") if account.agency_code else "–",
                DEMO_PASSWORD,
                demo_totp_secret(account.username) if with_totp and account.is_staff else "–",
            )
            for account in DEMO_ACCOUNTS
        ]
        columns = len(rows[0])
        widths = [max(len(row[column]) for row in rows) for column in range(columns)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line.rstrip()}")
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        if with_totp:
            self.stdout.write("")
            self.stdout.write(
                "Staff sign in with the password and a code from the secret above: add it to an "
                "authenticator app, or print the current code with "
                "`.venv/bin/python manage.py demo_totp <username>`."
            )


def _is_deployment() -> bool:
    if settings.DEBUG:
        return False
    return getattr(settings, "DEVELOPMENT_SECRET_KEY", None) != settings.SECRET_KEY


def _read_catalog(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CommandError(f"Cannot read the catalog {path.name}: {error}") from error
    if data.get("format") != CATALOG_FORMAT:
        raise CommandError(f"{path.name} is not a {CATALOG_FORMAT} catalog.")
    return data


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app_label in ("procedures", "citizens")
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
    }


def catalog_load(data: dict) -> None:
    """Apply a catalog through the catalog services; codes must refer to rows it defines."""
    agencies: dict[str, Agency] = {}
    for row in data["agencies"]:
        values = dict(row)
        parent_code = values.pop("parent", None)
        if parent_code is not None and parent_code not in agencies:
            raise ValueError(f"agency {row['code']}: parent {parent_code} must come first")
        values["parent"] = agencies[parent_code] if parent_code else None
        agencies[row["code"]] = agency_upsert(**values)

    fields: dict[str, Field] = {row["code"]: field_upsert(**row) for row in data["fields"]}
    result_types: dict[str, ResultType] = {
        row["code"]: result_type_upsert(**row) for row in data["result_types"]
    }

    for row in data.get("calendar_exceptions", []):
        calendar_exception_upsert(
            date=date.fromisoformat(row["date"]),
            kind=row["kind"],
            description=row["description"],
        )

    for row in data["procedures"]:
        values = {key: value for key, value in row.items() if key not in _PROCEDURE_RELATIONS}
        procedure_upsert(
            **values,
            field=_pick(fields, row["field"], "field", row),
            agencies=[_pick(agencies, code, "agency", row) for code in row["agencies"]],
            result_types=[
                _pick(result_types, code, "result type", row) for code in row["result_types"]
            ],
            legal_bases=row["legal_bases"],
            form_fields=row["form_fields"],
            components=[
                {
                    **component,
                    "satisfied_by": [
                        _pick(result_types, code, "result type", row)
                        for code in component.get("satisfied_by", [])
                    ],
                }
                for component in row["components"]
            ],
        )


def _pick(objects: dict[str, Any], code: str, kind: str, procedure: dict) -> Any:
    try:
        return objects[code]
    except KeyError:
        raise ValueError(f"procedure {procedure['code']}: unknown {kind} {code}") from None


def demo_totp_secret(username: str) -> str:
    """The demo staff account's authenticator secret, in base32 as apps take it."""
    return base64.b32encode(_demo_totp_key(username)).decode().rstrip("=")


def _demo_totp_key(username: str) -> bytes:
    return hashlib.sha256(f"portal-demo-totp:{username}".encode()).digest()[:20]


def demo_accounts_ensure(*, with_totp: bool) -> None:
    """Create each missing demo account and membership; never touch an existing one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    new_citizen = None
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                full_name=account.full_name,
                email=f"{account.username}@example.com",
                is_staff=account.role == ADMINISTRATOR,
                is_superuser=account.role == ADMINISTRATOR,
                **(CITIZEN_PROFILE if account.role == CITIZEN else {}),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if account.role == CITIZEN:
                new_citizen = user
            if with_totp and account.is_staff:
                TOTPDevice.objects.create(
                    user=user,
                    name="Demo authenticator",
                    key=_demo_totp_key(account.username).hex(),
                    confirmed=True,
                )
        if account.agency_code:
            if account.agency_code not in agencies:
                raise ValueError(f"{account.username}: no agency {account.agency_code}")
            Membership.objects.get_or_create(
                user=user, agency=agencies[account.agency_code], role=account.role
            )
    if new_citizen is not None:
        _verify_demo_citizen(new_citizen, officer=User.objects.get(username=DESK_OFFICER))


def _verify_demo_citizen(user, *, officer) -> None:
    """As the ward's one-stop officer would, with the citizen's ID card in hand."""
    identity_verify_in_person(
        user=user,
        officer=officer,
        agency=officer.memberships.get().agency,
        document_type=IdentityDocumentType.CITIZEN_ID_CARD,
        document_number=user.national_id,
        national_id=user.national_id,
        full_name=user.full_name,
        date_of_birth=user.date_of_birth,
        gender=user.gender,
    )
