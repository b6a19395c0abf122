"""The benchmark: data, a production-like gunicorn, the load scenarios, the report.

    python -m bench.run --dossiers N [--skip-data] [--duration S]

1. Makes sure the bench database exists (BENCH_DATABASE_URL, by default
   `portal_bench` on the local PostgreSQL, as the role `portal`), migrates it
   and, unless it already holds N dossiers or --skip-data is given, fills it
   with `manage.py bench_data --dossiers N`.
2. Collects static files into a temporary STATIC_ROOT, hashed and compressed
   as the container image does (STATIC_MANIFEST=true).
3. Starts gunicorn with portal/gunicorn.conf.py on a free port of 127.0.0.1:
   DEBUG off, a fresh SECRET_KEY, Redis as cache and broker, a fixed number
   of workers and threads, and the reference page turned on.
4. Prepares sessions, queue cursors, a result token and the intake request
   (bench/state.py, in a child process with the same environment).
5. Runs every scenario of bench/scenarios.py with wrk from this process's
   child, for a fixed time with fixed connections, after a short warm-up;
   the reference page is measured in short bursts before the first
   scenario and after each one, and a scenario's ratio is to the bursts
   around it.
6. Calls `bench.components.run_components` when that module exists.
7. Writes bench/results/<date>-<size>.json and .md and prints the table.
Whatever happens, gunicorn and everything else started here are stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench import report
from bench.scenarios import CONNECTIONS, REFERENCE, SCENARIOS, Scenario, Target

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
WRK_DIR = BENCH_DIR / "wrk"
RESULTS_DIR = BENCH_DIR / "results"
GUNICORN_CONF = ROOT / "portal" / "gunicorn.conf.py"

DEFAULT_DATABASE_URL = "postgres://portal:portal@127.0.0.1:5432/portal_bench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/3"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/4"
# Fixed so that runs compare: 2 processes of 2 threads each, on any machine.
WORKERS = 2
THREADS = 2
# The full-size run measures longer; `make bench` must fit in 10 minutes.
FULL_SIZE = 1_000_000
DURATION_DEFAULT = 20
DURATION_FULL = 30
WARMUP_SECONDS = 2
REFERENCE_BURST_SECONDS = 5
# The first request of a scenario may fill caches; gunicorn kills a worker
# after its own timeout (30 s) anyway.
SMOKE_TIMEOUT = 60
# CPU use by other processes, before the load, above which the run warns.
BUSY_WARNING_PERCENT = 10
# Other processes' share of the CPUs during a scenario above which it is
# measured again (--retries times); the quietest attempt is kept.
BACKGROUND_LIMIT = 5
# wrk's default of 2 s would count a slow page as an error, not as a latency.
WRK_TIMEOUT = "10s"
# One connection per request, as a reverse proxy in front of gunicorn opens
# them (nginx speaks HTTP/1.0 upstream by default). With keep-alive, each of
# wrk's connections stays with the worker that accepted it, and now and then
# most land on one worker: the reference measured 920 to 3,040 req/s in eight
# runs of 3 s, against 1,850 to 2,160 with this header (bench/README.md).
CONNECTION_HEADER = "Connection: close"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def _database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _conninfo(database_url: str) -> str:
    # psycopg does not know the `postgres://` scheme that dj-database-url takes.
    return re.sub(r"^postgres(ql)?://", "postgresql://", database_url)


def database_ensure(database_url: str) -> None:
    name = _database_name(database_url)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Unexpected database name {name!r} in BENCH_DATABASE_URL.")
    with psycopg.connect(_conninfo(_maintenance_url(database_url)), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"Creating the database {name}")
            conn.execute(f"CREATE DATABASE {name}")


def dossier_count(database_url: str) -> int:
    with psycopg.connect(_conninfo(database_url)) as conn:
        exists = conn.execute("SELECT to_regclass('dossiers_dossier')").fetchone()[0]
        if exists is None:
            return 0
        return conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]


def with_application_name(database_url: str, name: str) -> str:
    """The URL with an application_name, by which the run finds its own queries."""
    return f"{database_url}{'&' if '?' in database_url else '?'}application_name={name}"


def queries_stop(database_url: str, name: str, *, terminate: bool = False) -> int:
    """Cancel what the run's connections still execute in PostgreSQL.

    A request that gunicorn kills on its timeout leaves its query running in
    PostgreSQL until it ends, maybe for minutes; it would load every later
    scenario. Returns how many backends were signalled.
    """
    function = "pg_terminate_backend" if terminate else "pg_cancel_backend"
    with contextlib.suppress(psycopg.Error), psycopg.connect(_conninfo(database_url)) as conn:
        rows = conn.execute(
            f"SELECT {function}(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()"
            + ("" if terminate else " AND state = 'active'"),
            [name],
        ).fetchall()
        return len(rows)
    return 0


def database_facts(database_url: str) -> dict:
    with psycopg.connect(_conninfo(database_url)) as conn:
        return {
            "version": conn.execute("SHOW server_version").fetchone()[0],
            "shared_buffers": conn.execute("SHOW shared_buffers").fetchone()[0],
            "work_mem": conn.execute("SHOW work_mem").fetchone()[0],
            "database_size": conn.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            ).fetchone()[0],
        }


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(
    env: dict, *args: str, quiet: bool = True, required: bool = True
) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=quiet,
        text=True,
    )
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        if not required:
            log(f"manage.py {args[0]} failed; going on without it")
            return result
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}).")
    return result


def state_call(env: dict, *args: str) -> dict:
    """Run bench/state.py in a child process with the bench environment."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.state", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-6000:])
        raise SystemExit(f"bench.state {args[0]} failed ({result.returncode}).")
    return json.loads(result.stdout)


class Gunicorn:
    """The portal's web process, as deployed; stopped with its whole process group."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])

    def start(self, timeout: float = 60) -> None:
        log(f"Starting gunicorn on 127.0.0.1:{self.port} ({WORKERS} workers x {THREADS} threads)")
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _body, _headers = http_get(self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer /healthz in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        pgid = self.process.pid  # the leader of its own session
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            log("gunicorn did not stop in time; killing it")
        # Workers left behind by a master that died first go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        log("gunicorn stopped")


def http_get(
    port: int, path: str, *, cookies: dict | None = None, timeout: float = 30
) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Cookie": _cookie_header(cookies)} if cookies else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def http_post(
    port: int, path: str, *, body: bytes, headers: dict, timeout: float = 30
) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --------------------------------------------------------------------------
# Machine and settings
# --------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return platform.system()


def _tool_version(*command: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    return "unknown"


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy_percent(seconds: float = 3.0) -> float | None:
    """How busy the CPUs are with other work, measured before the load starts."""
    try:
        busy0, total0 = _cpu_times()
        time.sleep(seconds)
        busy1, total1 = _cpu_times()
    except (OSError, ValueError, IndexError):
        return None
    return round(100 * (busy1 - busy0) / max(total1 - total0, 1), 1)


KTHREADD_PID = 2


class BackgroundCpu:
    """CPU used by processes other than the benchmark's during a measurement.

    The benchmark's own: this process and its descendants (gunicorn, wrk),
    Redis, PostgreSQL's shared processes and the backends serving the bench
    database (and their parallel workers). Everything else, for instance
    another database's backends or a test run, is background, given as a
    share of the machine's whole capacity.
    """

    def __init__(self, database_name: str):
        self.database_name = database_name

    @staticmethod
    def _read_processes() -> dict[int, dict]:
        processes = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            processes[int(entry)] = {
                "ppid": int(fields[1]),
                "comm": comm,
                "cmdline": cmdline.decode(errors="replace"),
                "own": int(fields[11]) + int(fields[12]),
                "children": int(fields[13]) + int(fields[14]),
            }
        return processes

    def _ours(self, processes: dict[int, dict]) -> set[int]:
        me = os.getpid()
        ours = set()
        for pid in processes:
            cursor, seen = pid, 0
            while cursor in processes and seen < 64:
                if cursor == me:
                    ours.add(pid)
                    break
                cursor, seen = processes[cursor]["ppid"], seen + 1
        leaders = set()
        for pid, process in processes.items():
            if process["comm"] == "redis-server":
                ours.add(pid)
            elif process["comm"] == "postgres":
                cmdline = process["cmdline"]
                client = re.search(r": \S+ (\S+) [\d.:\[\]a-f]+\(\d+\)", cmdline)
                if client is None and "parallel worker" not in cmdline:
                    ours.add(pid)  # the postmaster and its shared processes
                elif client is not None and client.group(1) == self.database_name:
                    ours.add(pid)
                    leaders.add(pid)
        for pid, process in processes.items():
            leader = re.search(r"parallel worker for PID (\d+)", process["cmdline"])
            if leader and int(leader.group(1)) in leaders:
                ours.add(pid)
        return ours

    def start(self) -> None:
        self.cpu0 = _cpu_times()
        self.processes0 = self._read_processes()

    def stop(self) -> float | None:
        """Background CPU, in percent of every core, since start().

        Counted process by process, not as what remains of the total: the
        parallel workers PostgreSQL starts for one query live a few
        milliseconds, between two readings. A foreign process's children
        that ended are in its children's times; kernel threads are left out.
        """
        try:
            _busy, total1 = _cpu_times()
            processes1 = self._read_processes()
        except (OSError, ValueError, IndexError):
            return None
        ours = self._ours(processes1)
        foreign = 0
        for pid, now in processes1.items():
            if pid in ours or pid == KTHREADD_PID or now["ppid"] == KTHREADD_PID:
                continue
            before = self.processes0.get(pid)
            if before is not None and before["comm"] == now["comm"]:
                foreign += now["own"] - before["own"] + now["children"] - before["children"]
            else:
                foreign += now["own"] + now["children"]
        return round(max(foreign, 0) * 100 / max(total1 - self.cpu0[1], 1), 1)


def machine_info(database_url: str, cache_url: str) -> dict:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    redis_version = "unknown"
    with contextlib.suppress(Exception):
        import redis

        redis_version = redis.Redis.from_url(cache_url).info("server")["redis_version"]
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gib": _memory_gib(),
        "os": f"{_os_name()} (Linux {platform.release()})",
        "python": platform.python_version(),
        "postgresql": database_facts(database_url),
        "redis": redis_version,
        "wrk": _tool_version("wrk", "--version"),
    }


def gunicorn_settings(env: dict) -> dict:
    """The settings gunicorn.conf.py gives under the bench environment (and its overrides)."""
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        conf = runpy.run_path(str(GUNICORN_CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    max_requests = conf.get("max_requests")
    if "--max-requests 0" in env.get("GUNICORN_CMD_ARGS", ""):
        max_requests = 0
    return {
        "workers": conf["workers"],
        "threads": conf["threads"],
        "worker_class": "gthread" if conf["threads"] > 1 else "sync",
        "timeout": conf["timeout"],
        "keepalive": conf["keepalive"],
        "max_requests": max_requests,
        "max_requests_jitter": conf.get("max_requests_jitter"),
        "access_log": conf.get("accesslog"),
    }


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


def wrk(
    port: int,
    target: Target,
    *,
    connections: int,
    seconds: int,
    script: str = "report.lua",
    env: dict | None = None,
    one_thread_per_connection: bool = False,
) -> dict:
    threads = connections if one_thread_per_connection else min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={WRK_TIMEOUT}",
        "--latency",
        "-s",
        str(WRK_DIR / script),
        "-H",
        CONNECTION_HEADER,
    ]
    if target.cookies:
        command += ["-H", f"Cookie: {_cookie_header(target.cookies)}"]
    command.append(f"http://127.0.0.1:{port}{target.path}")
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), **(env or {})},
        timeout=seconds + 60,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise RuntimeError(f"wrk gave no summary ({result.returncode}): {result.stderr[-2000:]}")


def _figures(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "latency_ms": {key: round(latency[key] / 1000, 1) for key in ("p50", "p95", "p99", "max")},
        "errors": raw["errors"],
        "bytes_per_request": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
    }


def smoke(port: int, scenario: Scenario, target: Target) -> str | None:
    """One request before the load: None when the page answers as it should, else why not."""
    status, body, _headers = http_get(
        port, target.path, cookies=target.cookies, timeout=SMOKE_TIMEOUT
    )
    if status == 200:
        return None
    snippet = body[:200].decode(errors="replace").replace("\n", " ")
    return f"HTTP {status} on the first request: {snippet}"


def smoke_intake(port: int, state: dict, target: Target) -> str | None:
    """File one dossier the way the Lua script does, to check every step answers as expected."""
    intake = state["intake"]
    cookie = f"sessionid={intake['sessions'][0]}; csrftoken={intake['csrf_cookie']}"
    headers = {"Cookie": cookie, "X-CSRFToken": intake["csrf_token"]}
    status, response_headers = http_post(
        port, target.path, body=b"", headers={**headers, "Content-Length": "0"}
    )
    location = response_headers.get("Location", "")
    if status != 302 or not location.endswith("/edit/"):
        return f"start answered HTTP {status} {location}"
    body = Path(intake["body_path"]).read_bytes()
    status, response_headers = http_post(
        port, location, body=body, headers={**headers, "Content-Type": intake["content_type"]}
    )
    location = response_headers.get("Location", "")
    if status != 302 or not location.endswith("/submitted/"):
        return f"the submit answered HTTP {status} {location} (the form was not accepted)"
    return None


def run_scenario(
    port: int,
    scenario: Scenario,
    state: dict,
    env: dict,
    *,
    seconds: int,
    warmup: int,
    background: BackgroundCpu,
) -> dict:
    target = scenario.target(state)
    row = {
        "name": scenario.name,
        "title": scenario.title,
        "path": target.display or target.path,
        "connections": scenario.connections,
        "status": "ok",
        "reason": "",
    }
    if target.skip:
        return {**row, "status": "skipped", "reason": target.skip}
    try:
        if scenario.kind == "intake":
            problem = smoke_intake(port, state, target)
        else:
            problem = smoke(port, scenario, target)
    except (OSError, http.client.HTTPException) as error:
        problem = f"the first request failed after {SMOKE_TIMEOUT} s at most: {error!r}"
    if problem:
        if scenario.optional and problem.startswith("HTTP 404"):
            return {**row, "status": "skipped", "reason": "not in this version of the portal (404)"}
        return {**row, "status": "failed", "reason": problem}

    options = {"connections": scenario.connections}
    if scenario.kind == "intake":
        intake = state["intake"]
        options.update(
            script="intake.lua",
            one_thread_per_connection=True,
            env={
                "BENCH_INTAKE_SESSIONS": intake["sessions_path"],
                "BENCH_INTAKE_BODY": intake["body_path"],
                "BENCH_INTAKE_TYPE": intake["content_type"],
                "BENCH_INTAKE_START": target.path,
                "BENCH_CSRF_COOKIE": intake["csrf_cookie"],
                "BENCH_CSRF_TOKEN": intake["csrf_token"],
            },
        )
    if warmup:
        wrk(port, target, seconds=warmup, **options)
    if scenario.kind == "intake":
        before = state_call(env, "count", json.dumps(intake["user_ids"]))["submitted"]
    background.start()
    raw = wrk(port, target, seconds=seconds, **options)
    row["background_cpu_percent"] = background.stop()
    row.update(_figures(raw))
    errors = raw["errors"]
    if errors["status"]:
        row["status"] = "failed"
        row["reason"] = f"{errors['status']} responses were neither 2xx nor 3xx"
    elif errors["timeout"]:
        row["status"] = "failed"
        row["reason"] = f"{errors['timeout']} requests took longer than {WRK_TIMEOUT}"
    if scenario.kind == "intake":
        after = state_call(env, "count", json.dumps(intake["user_ids"]))["submitted"]
        filed = after - before
        row["submitted"] = raw["submitted"]
        row["submitted_in_database"] = filed
        row["dossiers_per_second"] = round(filed / row["seconds"], 1)
        row["notes"] = f"{filed} dossiers filed, {row['dossiers_per_second']}/s (2 requests each)"
        # A submission cut short by the end of the run may still land; one
        # per connection either way is not an error.
        if raw["failed_steps"] or abs(filed - raw["submitted"]) > scenario.connections:
            row["status"] = "failed"
            row["reason"] = (
                f"{raw['failed_steps']} steps did not answer as expected; "
                f"{raw['submitted']} submissions seen, {filed} in the database"
            )
    return row


def reference_burst(port: int, seconds: int, background: BackgroundCpu) -> dict:
    """The reference page for a few seconds, between two scenarios."""
    background.start()
    raw = wrk(port, REFERENCE.target({}), connections=REFERENCE.connections, seconds=seconds)
    figures = _figures(raw)
    figures["background_cpu_percent"] = background.stop()
    return figures


def run_load(port: int, state: dict, env: dict, args) -> tuple[list[dict], dict]:
    """Every scenario, each between two bursts of the reference page.

    The speed of a core on a shared (virtual) machine drifts by tens of
    percent within minutes, invisibly to the guest. So each scenario's ratio
    is taken against the reference measured just before and just after it,
    not against one figure for the whole run.
    """
    background = BackgroundCpu(_database_name(args.database_url))
    seconds = args.reference_burst
    log(f"Reference ({args.warmup} s of warm-up, then {seconds} s between scenarios)")
    if args.warmup:
        wrk(port, REFERENCE.target({}), connections=REFERENCE.connections, seconds=args.warmup)
    bursts = [reference_burst(port, seconds, background)]
    rows = []
    for scenario in SCENARIOS:
        if args.only and scenario.name not in args.only:
            continue
        log(f"Scenario {scenario.name} ({args.duration} s, {scenario.connections} connections)")
        row = None
        for attempt in range(1, args.retries + 2):
            current = run_scenario(
                port,
                scenario,
                state,
                env,
                seconds=args.duration,
                warmup=args.warmup,
                background=background,
            )
            current["attempts"] = attempt
            if "rps" in current:
                before = bursts[-1]
                bursts.append(reference_burst(port, seconds, background))
                current["reference_rps"] = round((before["rps"] + bursts[-1]["rps"]) / 2, 1)
                current["ratio"] = round(current["rps"] / current["reference_rps"], 4)
            if row is None or (current.get("background_cpu_percent") or 0) < (
                row.get("background_cpu_percent") or 0
            ):
                row = current
            noise = current.get("background_cpu_percent")
            if current["status"] != "ok" or noise is None or noise <= BACKGROUND_LIMIT:
                break
            log(f"  {current['rps']} req/s, but {noise}% of the CPUs went to other work")
            if attempt <= args.retries:
                log("  measuring again")
        if row["status"] == "failed":
            stopped = queries_stop(args.database_url, args.application_name)
            if stopped:
                row["reason"] += f"; {stopped} queries it left running were cancelled"
        if row["status"] != "ok":
            log(f"  {row['status']}: {row['reason']}")
        else:
            latency = row["latency_ms"]
            log(
                f"  {row['rps']} req/s ({row['ratio']:.3f} x the reference around it, "
                f"{row['reference_rps']} req/s), p50 {latency['p50']} ms, "
                f"p99 {latency['p99']} ms; other work {row['background_cpu_percent']}%"
            )
        rows.append(row)
    return rows, report.reference_figures(bursts, seconds=seconds)


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def bench_env(args, *, port: int, workdir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the caller's portal configuration leaks into the bench.
        if not key.startswith(("DJANGO_", "GUNICORN_", "CELERY_", "S3_", "EMAIL_"))
        and key not in {"DEBUG", "DATABASE_URL", "CACHE_URL", "SECRET_KEY", "STATIC_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=with_application_name(args.database_url, args.application_name),
        CACHE_URL=args.cache_url,
        CELERY_BROKER_URL=args.broker_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        BENCH_REFERENCE="true",
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on 127.0.0.1, as behind a TLS proxy: no redirect to HTTPS.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_VAR_DIR=str(workdir / "var"),
        STATIC_ROOT=str(workdir / "static"),
        STATIC_MANIFEST="true",
        MEDIA_ROOT=str(workdir / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if not args.recycle:
        # Worker recycling (max_requests) is a leak guard whose cost follows the
        # request rate, not the page: each restart idles a worker for about half
        # a second, which at the reference's rate is every second. Left on, it
        # halves the reference and skews every ratio; see bench/README.md.
        env["GUNICORN_CMD_ARGS"] = "--max-requests 0"
    return env


def size_label(dossiers: int) -> str:
    if dossiers >= 1_000_000 and dossiers % 1_000_000 == 0:
        return f"{dossiers // 1_000_000}m"
    if dossiers >= 1000 and dossiers % 1000 == 0:
        return f"{dossiers // 1000}k"
    return str(dossiers)


def _label_size(actual: int, requested: int) -> int:
    """The size a result file is named after: as asked, unless the data differ."""
    if abs(actual - requested) <= requested // 100:
        return requested
    return round(actual, -3) if actual >= 1000 else actual


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        with contextlib.suppress(Exception):
            redis.Redis.from_url(url).flushdb()


def run_components(env: dict, args) -> dict:
    try:
        from bench import components
    except ImportError:
        return {"skipped": "bench/components.py is not there"}
    run = getattr(components, "run_components", None)
    if run is None:
        return {"skipped": "bench.components has no run_components"}
    log("Component figures (bench.components)")
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return run(database_url=args.database_url, broker_url=args.broker_url)
    except Exception as error:  # a failed component must not lose the load figures
        log(f"bench.components failed: {error!r}")
        return {"error": repr(error)}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000, help="dataset size")
    parser.add_argument("--skip-data", action="store_true", help="use the bench database as it is")
    parser.add_argument(
        "--duration",
        type=int,
        help=f"seconds per scenario ({DURATION_DEFAULT}, or {DURATION_FULL} at full size)",
    )
    parser.add_argument("--warmup", type=int, default=WARMUP_SECONDS, help="seconds, discarded")
    parser.add_argument(
        "--reference-burst",
        type=int,
        default=REFERENCE_BURST_SECONDS,
        help="seconds of the reference page before the first scenario and after each",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="run only these scenarios (and the reference)"
    )
    parser.add_argument(
        "--recycle",
        action="store_true",
        help="keep gunicorn.conf.py's worker recycling (max_requests) on",
    )
    parser.add_argument(
        "--retries",
        type=int,
        help=(
            f"measure a scenario again when other work took over {BACKGROUND_LIMIT}%% of the "
            "CPUs (1 time, 2 at full size)"
        ),
    )
    parser.add_argument("--no-components", action="store_true", help="skip bench.components")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR, help="where results are written"
    )
    args = parser.parse_args(argv)
    args.database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    args.cache_url = os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL)
    args.broker_url = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    args.application_name = f"portal-bench-{os.getpid()}"
    if args.retries is None:
        args.retries = 1 if args.dossiers >= FULL_SIZE else 0
    if args.duration is None:
        args.duration = DURATION_FULL if args.dossiers >= FULL_SIZE else DURATION_DEFAULT
    return args


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/system-deps.sh --bench")
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    started_at = dt.datetime.now().astimezone()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    env = bench_env(args, port=port, workdir=workdir)
    gunicorn = Gunicorn(env, workdir / "gunicorn.log")
    state: dict | None = None
    results: dict = {}
    try:
        # 1. The database.
        database_ensure(args.database_url)
        log("Migrating the bench database")
        manage(env, "migrate", "--noinput")
        existing = dossier_count(args.database_url)
        generation_seconds = None
        if args.skip_data or existing >= args.dossiers:
            log(f"Using the {existing:,} dossiers in the bench database")
        else:
            log(f"Generating {args.dossiers:,} dossiers (the database has {existing:,})")
            t0 = time.monotonic()
            manage(env, "bench_data", "--dossiers", str(args.dossiers), quiet=False)
            generation_seconds = round(time.monotonic() - t0, 1)
        # 2. Static files, as the image has them.
        # Pages render in Vietnamese as deployed; the .mo files may already be there.
        manage(env, "compile_translations", required=False)
        manage(env, "collectstatic", "--noinput", "-v0")
        flush_redis(args.cache_url, args.broker_url)
        # Other work on the machine would show in every figure: say so.
        busy_before = cpu_busy_percent()
        if busy_before is not None and busy_before > BUSY_WARNING_PERCENT:
            log(f"Warning: the CPUs are {busy_before}% busy before the load; figures will be low")
        # 3. The server.
        gunicorn.start()
        # 4. The state the scenarios need.
        log("Preparing sessions, cursors, a token and the intake request")
        state = state_call(env, "prepare", str(workdir / "intake"))
        dataset = state["dataset"]
        if abs(dataset["dossiers"] - args.dossiers) > args.dossiers // 100:
            log(
                f"Note: the database holds {dataset['dossiers']:,} dossiers, not "
                f"{args.dossiers:,}; the results are labelled with what it holds. "
                "Another size needs another BENCH_DATABASE_URL (or drop the database)."
            )
        # 5. The load.
        rows, reference = run_load(port, state, env, args)
        load_average = [round(x, 2) for x in os.getloadavg()]
        gunicorn.stop()
        # Every run starts from the same data; queued tasks go with the run.
        cleaned = state_call(env, "cleanup", json.dumps(state["intake"].get("user_ids", [])))
        flush_redis(args.cache_url, args.broker_url)
        # 6. Component figures.
        components = (
            {"skipped": "--no-components"} if args.no_components else run_components(env, args)
        )
        # 7. The report.
        results = {
            "date": started_at.date().isoformat(),
            "started_at": started_at.isoformat(timespec="seconds"),
            "total_seconds": round(time.monotonic() - started, 1),
            "machine": {
                **machine_info(args.database_url, args.cache_url),
                "cpu_busy_before_percent": busy_before,
                "load_average_after_load": load_average,
            },
            "dataset": {
                **dataset,
                "requested": args.dossiers,
                "generation_seconds": generation_seconds,
                "citizen_dossiers": state["citizen"].get("dossiers"),
                "queue_agency_dossiers": state["officer"].get("agency_dossiers"),
                "queue_received": state["officer"].get("received"),
                "queue_pages": state["officer"].get("pages"),
                "intake_rows_deleted": cleaned["deleted"],
            },
            "gunicorn": gunicorn_settings(env),
            "load": {
                "tool": _tool_version("wrk", "--version").split(" [")[0],
                "connections": CONNECTIONS,
                "reference_burst_s": args.reference_burst,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "timeout": WRK_TIMEOUT,
            },
            "reference": reference,
            "scenarios": [row for row in rows if row["name"] != "reference"],
            "components": components,
        }
        args.output.mkdir(parents=True, exist_ok=True)
        stem = f"{results['date']}-{size_label(_label_size(dataset['dossiers'], args.dossiers))}"
        json_path = args.output / f"{stem}.json"
        json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        markdown = report.markdown(results)
        (args.output / f"{stem}.md").write_text(markdown)
        print(markdown)
        log(f"Wrote {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}")
        log(f"Done in {results['total_seconds']:.0f} s")
        failed = [s["name"] for s in results["scenarios"] if s["status"] == "failed"]
        return 1 if failed else 0
    finally:
        gunicorn.stop()
        queries_stop(args.database_url, args.application_name, terminate=True)
        if args.keep:
            log(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
