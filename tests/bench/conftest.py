"""A small city, generated for each bench test module and rolled back after it."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from bench.generator import generate

# Fixed, so that two runs with the same seed make the same city.
NOW = datetime(2026, 3, 16, 2, 30, tzinfo=UTC)
SIZES = {"dossiers": 1500, "procedures": 50, "citizens": 300}
SEED = 7


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The generator's report; the data lives in a transaction rolled back after the module.

    Tests that use it also take `db`, whose per-test atomic block becomes a
    savepoint inside this transaction. Module scope, not package: the
    transaction must end before pytest-django runs the package's
    transactional tests, which it moves to the end.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        report = generate(**SIZES, seed=SEED, now=NOW, log=lambda message: None)
        yield report
        transaction.set_rollback(True)
