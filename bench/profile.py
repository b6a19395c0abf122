"""One page of the portal, requested in-process against the bench database, profiled.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_bench \\
        python -m bench.profile queue_page_1 [--repeat 20] [--profile] [--queries]

The load scenarios say how fast a page is under load; this says why. It
prepares the same state as the load (bench/state.py: a citizen, an officer of
the largest agency, queue cursors, a result token), then requests one
scenario's URL with Django's test client, DEBUG off, the first request left
out as warm-up. It prints the median and spread of the wall time, the
number of SQL queries and their time, and, with --profile, the functions
that took the most time (cProfile), or with --queries every query of one
request with its duration, slowest first.

Nothing is written but the two sessions bench/state.py creates; the intake
scenario is not supported (it writes dossiers).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from contextlib import contextmanager


def _setup(cache_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("BENCH_REFERENCE", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    if cache_url:
        os.environ["CACHE_URL"] = cache_url
    import django

    django.setup()


@contextmanager
def _queries_timed():
    """Every query of the block with its duration, through a connection wrapper."""
    from django.db import connection

    timed: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(wrapper):
        yield timed


def _request(client, path: str, cookies: dict) -> int:
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    return client.get(path).status_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("scenario", help="a scenario name of bench/scenarios.py, e.g. queue_page_1")
    parser.add_argument(
        "--repeat", type=int, default=20, help="requests measured (after one warm-up)"
    )
    parser.add_argument("--profile", action="store_true", help="print the top functions (cProfile)")
    parser.add_argument("--queries", action="store_true", help="print one request's queries")
    parser.add_argument("--top", type=int, default=30, help="rows of --profile and --queries")
    parser.add_argument(
        "--cache-url",
        help="the cache the pages use (default: the environment's CACHE_URL, else local memory)",
    )
    args = parser.parse_args(argv)

    _setup(args.cache_url)
    from django.test import Client

    from bench import state as bench_state
    from bench.scenarios import REFERENCE, SCENARIOS

    scenarios = {scenario.name: scenario for scenario in [REFERENCE, *SCENARIOS]}
    scenario = scenarios.get(args.scenario)
    if scenario is None or scenario.kind == "intake":
        known = ", ".join(name for name, s in scenarios.items() if s.kind != "intake")
        raise SystemExit(f"Unknown or unsupported scenario {args.scenario!r}; one of: {known}")
    prepared = bench_state.prepare(None)
    target = scenario.target(prepared)
    if target.skip:
        raise SystemExit(f"Skipped at this size: {target.skip}")

    client = Client()
    status = _request(client, target.path, target.cookies)
    if status != 200:
        raise SystemExit(f"{target.path} answered {status}")
    walls, query_counts, query_seconds = [], [], []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.repeat):
        with _queries_timed() as timed:
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            _request(client, target.path, target.cookies)
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - start)
        query_counts.append(len(timed))
        query_seconds.append(sum(seconds for seconds, _sql in timed))
        last_queries = timed

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    print(f"{scenario.title}: GET {target.display or target.path}")
    print(
        f"  wall: median {ms(statistics.median(walls))}, min {ms(min(walls))}, "
        f"max {ms(max(walls))} over {args.repeat} requests"
    )
    print(
        f"  SQL: {statistics.median(query_counts):.0f} queries, "
        f"median {ms(statistics.median(query_seconds))} of the wall time"
    )
    if args.queries:
        print("\n  Queries of the last request, slowest first:")
        for seconds, sql in sorted(last_queries, reverse=True)[: args.top]:
            print(f"  {ms(seconds):>10}  {' '.join(sql.split())[:300]}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
