"""A benchmark result (bench/results/*.json) as a short Markdown table.

    python -m bench.report bench/results/2025-01-31-1m.json

Throughput is given in requests per second and as a ratio to the reference
page of the same run: the ratio is the figure that compares across machines.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def reference_figures(bursts: list[dict], *, seconds: int) -> dict:
    """The reference bursts of a run: their mean, their spread, each one."""
    if not bursts:
        return {"rps": None, "bursts": []}
    rates = [burst["rps"] for burst in bursts]
    return {
        "rps": round(sum(rates) / len(rates), 1),
        "min_rps": min(rates),
        "max_rps": max(rates),
        "burst_seconds": seconds,
        "latency_ms": {
            key: round(statistics.median(burst["latency_ms"][key] for burst in bursts), 1)
            for key in ("p50", "p95", "p99")
        },
        "errors": {
            kind: sum(burst["errors"][kind] for burst in bursts) for kind in bursts[0]["errors"]
        },
        "bursts": bursts,
    }


def _number(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _errors(row: dict) -> str:
    errors = row.get("errors") or {}
    total = sum(errors.values())
    if not total:
        return "0"
    return ", ".join(f"{count} {kind}" for kind, count in errors.items() if count)


# Other work on the machine above this share of the CPUs is shown beside a figure.
BACKGROUND_SHOWN = 5


def _background(row: dict) -> str:
    share = row.get("background_cpu_percent")
    if share is None or share <= BACKGROUND_SHOWN:
        return ""
    return f"other work took {share:.0f}% of the CPUs"


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _scenario_line(row: dict) -> str:
    if row["status"] == "skipped":
        return f"| {row['title']} | – | – | – | – | – | – | skipped: {row['reason']} |"
    if "rps" not in row:
        return f"| {row['title']} | – | – | – | – | – | – | **failed**: {row['reason']} |"
    latency = row["latency_ms"]
    note = _join(row.get("notes", ""), _background(row))
    if row["status"] == "failed":
        note = f"**failed**: {row['reason']}" + (f"; {note}" if note else "")
    return (
        f"| {row['title']} | {_number(row['rps'])} | {_number(row.get('ratio'), 3)} "
        f"| {_number(latency['p50'])} | {_number(latency['p95'])} | {_number(latency['p99'])} "
        f"| {_errors(row)} | {note} |"
    )


def _components(components: dict) -> list[str]:
    if not components:
        return []
    if "skipped" in components or "error" in components:
        reason = components.get("skipped") or components.get("error")
        return ["", f"Component figures: not measured ({reason})."]
    lines = ["", "| Component | Figure | How |", "|---|---:|---|"]
    for key, value in components.items():
        if isinstance(value, dict) and "value" in value:
            shown = f"{_number(value['value'], 3 if value['value'] < 10 else 1)} {value['unit']}"
            detail = value.get("detail", "")
        else:
            shown, detail = str(value), ""
        lines.append(f"| {key} | {shown} | {detail} |")
    return lines


def _recycling(gunicorn: dict) -> str:
    if not gunicorn.get("max_requests"):
        return "worker recycling off"
    return f"workers recycled every {gunicorn['max_requests']} requests"


def machine_line(results: dict) -> str:
    machine = results["machine"]
    postgresql = machine["postgresql"]
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB RAM; "
        f"{machine['os']}; Python {machine['python']}; PostgreSQL {postgresql['version']} "
        f"(shared_buffers {postgresql['shared_buffers']}); Redis {machine['redis']}"
    )


def markdown(results: dict) -> str:
    dataset = results["dataset"]
    gunicorn = results["gunicorn"]
    load = results["load"]
    reference = results["reference"]
    postgresql = results["machine"]["postgresql"]
    lines = [
        f"### {results['date']}: {dataset['dossiers']:,} dossiers",
        "",
        f"- Machine: {machine_line(results)}.",
        f"- Data: {dataset['dossiers']:,} dossiers, {dataset['citizens']:,} citizens, "
        f"{dataset['procedures']:,} procedures, {dataset['agencies']:,} agencies, "
        f"{dataset['results']:,} results; database {postgresql['database_size']}. "
        f"Queue: the largest agency has {dataset['queue_received'] or 0:,} received dossiers "
        f"({dataset['queue_pages'] or 0:,} pages).",
        f"- Server: gunicorn {gunicorn['workers']} workers x {gunicorn['threads']} threads "
        f"({gunicorn['worker_class']}), {_recycling(gunicorn)}, access log on; "
        "DEBUG off, PostgreSQL and Redis on 127.0.0.1.",
        f"- Load: {load['tool']} on the same machine, {load['duration_s']} s per scenario after "
        f"{load['warmup_s']} s of warm-up, {load['connections']} connections "
        "(intake: 2, one citizen each).",
        f"- Reference: {_number(reference['rps'])} req/s on average; each scenario's ratio is "
        "to the mean of the reference bursts just before and just after it.",
        "",
        "| Scenario | req/s | × reference | p50 ms | p95 ms | p99 ms | Errors | Notes |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    if reference.get("rps"):
        latency = reference["latency_ms"]
        lines.append(
            f"| Reference (constant page) | {_number(reference['rps'])} | 1 "
            f"| {_number(latency['p50'])} | {_number(latency['p95'])} "
            f"| {_number(latency['p99'])} | {_errors(reference)} "
            f"| {len(reference['bursts'])} bursts of {reference['burst_seconds']} s around the "
            f"scenarios: {_number(reference['min_rps'])} to {_number(reference['max_rps'])} req/s |"
        )
    lines += [_scenario_line(row) for row in results["scenarios"]]
    lines += _components(results.get("components") or {})
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    print(markdown(json.loads(Path(argv[1]).read_text())), end="")


if __name__ == "__main__":
    main(sys.argv)
