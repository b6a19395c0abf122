"""The deployment files agree with the project they deploy.

Docker does not run where the tests run, so these tests read the Dockerfile,
docker-compose.yml, .env.example and portal/gunicorn.conf.py as data and check
them against the code: the commands name the real Celery app, WSGI application
and health view; every variable the settings read is documented; services wait
for what they need. No database is used.
"""

import ast
import importlib
import json
import os
import re
import runpy
from pathlib import Path

import pytest
import yaml
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import get_commands
from django.urls import resolve
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
GUNICORN_CONF = ROOT / "portal" / "gunicorn.conf.py"
SETTINGS_FILE = ROOT / "portal" / "settings.py"

APP_SERVICES = ("web", "worker", "beat", "migrate")
LONG_RUNNING_SERVICES = ("web", "worker", "beat", "db", "redis")
ENV_READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list"}


# ----------------------------------------------------------------- readers


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _service(name: str) -> dict:
    return _compose()["services"][name]


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical = pending + line
        pending = ""
        keyword, _, arguments = logical.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _dockerfile(keyword: str) -> list[str]:
    return [args for kw, args in _dockerfile_instructions() if kw == keyword]


def _dockerfile_env() -> dict[str, str]:
    env = {}
    for args in _dockerfile("ENV"):
        for pair in args.split():
            name, _, value = pair.partition("=")
            env[name] = value
    return env


def _dockerfile_cmd() -> list[str]:
    (cmd,) = _dockerfile("CMD")
    return json.loads(cmd)


def _dockerfile_healthcheck_probe() -> list[str]:
    (healthcheck,) = _dockerfile("HEALTHCHECK")
    _options, _, command = healthcheck.partition(" CMD ")
    return json.loads(command)


def _documented_variables() -> set[str]:
    """Names assigned in .env.example, commented out (`# NAME=`) or not."""
    pattern = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {m.group(1) for line in lines if (m := pattern.match(line))}


def _variables_read_by_settings() -> set[str]:
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ENV_READERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def _variables_read_by_gunicorn_conf() -> set[str]:
    tree = ast.parse(GUNICORN_CONF.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        func = ast.unparse(node.func)
        if func in {"os.environ.get", "os.getenv", "_env_int"}:
            names.add(first.value)
    return names


def _compose_interpolated_variables() -> set[str]:
    # `$$` escapes a dollar for the container's shell; it is not interpolation.
    text = COMPOSE_FILE.read_text(encoding="utf-8").replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def _load_gunicorn_conf(monkeypatch, **environ) -> dict:
    for name in _variables_read_by_gunicorn_conf():
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def _probe_path(probe: list[str]) -> str:
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\"\s]*)", " ".join(probe))
    assert match, f"no local URL in the probe {probe!r}"
    return match.group(2)


def _celery_app_option(command: list[str]) -> str:
    return command[command.index("-A") + 1]


# ----------------------------------------------------------------- compose


def test_compose_defines_web_worker_beat_migrate_db_and_redis():
    assert set(_compose()["services"]) >= {"web", "worker", "beat", "migrate", "db", "redis"}


def test_app_services_run_one_image_built_from_the_project_directory():
    services = _compose()["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    builds = {str(services[name]["build"]) for name in APP_SERVICES}
    assert len(images) == 1
    assert builds == {"."}


def test_app_services_read_an_optional_env_file():
    for name in APP_SERVICES:
        assert _service(name)["env_file"] == [{"path": ".env", "required": False}], name


def test_compose_refuses_to_start_without_a_secret_key():
    for name in APP_SERVICES:
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", _service(name)["environment"]["SECRET_KEY"])


def test_app_services_default_to_the_compose_database_broker_and_cache():
    environment = _service("web")["environment"]
    assert environment["DATABASE_URL"].endswith(":-postgres://portal:portal@db:5432/portal}")
    assert environment["CELERY_BROKER_URL"].endswith(":-redis://redis:6379/0}")
    assert environment["CACHE_URL"].endswith(":-redis://cache:6379/0}")


def test_compose_refuses_to_start_without_the_signing_keys_encryption_key():
    for name in APP_SERVICES:
        value = _service(name)["environment"]["SIGNING_KEYS_ENCRYPTION_KEY"]
        assert re.fullmatch(r"\$\{SIGNING_KEYS_ENCRYPTION_KEY:\?.+\}", value)


def test_the_cache_redis_is_capped_and_evicts_while_the_broker_never_evicts():
    cache = _service("cache")["command"]
    assert cache[cache.index("--maxmemory") + 1]
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    broker = _service("redis")["command"]
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"


def test_only_web_publishes_a_port():
    publishing = {name for name, svc in _compose()["services"].items() if svc.get("ports")}
    assert publishing == {"web"}


def test_web_publishes_the_port_gunicorn_binds_in_the_container(monkeypatch):
    (mapping,) = _service("web")["ports"]
    container_port = str(mapping).rsplit(":", 1)[1]
    bind = _load_gunicorn_conf(monkeypatch)["bind"]
    assert bind.rsplit(":", 1)[1] == container_port == "8000"


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_service_has_a_health_check(name):
    healthcheck = _service(name).get("healthcheck", {})
    assert not healthcheck.get("disable")
    assert healthcheck.get("test")


def test_db_health_check_uses_pg_isready():
    assert "pg_isready" in " ".join(_service("db")["healthcheck"]["test"])


def test_redis_health_check_pings_redis():
    assert _service("redis")["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_service_waits_for_a_healthy_db_and_redis_and_a_completed_migrate(name):
    depends_on = _service(name)["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_runs_the_migrations_once_a_healthy_db_answers():
    migrate = _service("migrate")
    assert migrate["command"][:3] == ["python", "manage.py", "migrate"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


def test_migrate_is_one_shot_and_never_restarted():
    assert _service("migrate")["restart"] == "no"


@pytest.mark.parametrize("name", LONG_RUNNING_SERVICES)
def test_long_running_service_restarts_unless_stopped(name):
    assert _service(name)["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_service_keeps_uploads_on_the_shared_media_volume(name):
    service = _service(name)
    media_root = service["environment"]["MEDIA_ROOT"]
    assert f"media:{media_root}" in service["volumes"]
    assert "media" in _compose()["volumes"]


def test_db_keeps_its_data_in_a_named_volume():
    volumes = _service("db")["volumes"]
    assert any(v.split(":")[0] in _compose()["volumes"] for v in volumes)
    assert any(v.endswith(":/var/lib/postgresql/data") for v in volumes)


def test_beat_keeps_its_schedule_file_on_a_volume():
    beat = _service("beat")
    command = beat["command"]
    schedule = Path(command[command.index("--schedule") + 1])
    mounts = {v.split(":")[1]: v.split(":")[0] for v in beat["volumes"]}
    assert str(schedule.parent) in mounts
    assert mounts[str(schedule.parent)] in _compose()["volumes"]


@pytest.mark.parametrize(
    ("name", "subcommand"), [("worker", "worker"), ("beat", "beat")], ids=["worker", "beat"]
)
def test_celery_service_runs_its_subcommand(name, subcommand):
    command = _service(name)["command"]
    assert command[0] == "celery"
    assert subcommand in command


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_app_named_in_the_command_is_the_project_app(name):
    from celery.app.utils import find_app

    import portal.celery

    app_option = _celery_app_option(_service(name)["command"])
    assert find_app(app_option) is portal.celery.app


# ---------------------------------------------------------------- Dockerfile


def test_dockerfile_starts_from_python_311_slim_bookworm():
    assert _dockerfile("FROM") == ["python:3.11-slim-bookworm"]


def test_dockerfile_installs_the_hashed_runtime_lock_without_resolving():
    installs = [run for run in _dockerfile("RUN") if "pip install" in run]
    assert len(installs) == 1
    words = installs[0].split()
    assert "--require-hashes" in words
    assert "--no-deps" in words
    assert words[words.index("-r") + 1] == "requirements.lock"
    assert (ROOT / "requirements.lock").is_file()


def test_dockerfile_never_uses_the_development_lock():
    assert "requirements-dev.lock" not in DOCKERFILE.read_text(encoding="utf-8")
    assert "requirements-dev.lock" in DOCKERIGNORE.read_text(encoding="utf-8").split()


def test_dockerfile_installs_the_libraries_weasyprint_needs():
    (apt,) = [run for run in _dockerfile("RUN") if "apt-get install" in run]
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
        "fonts-dejavu-extra",
    ):
        assert package in apt.split()


def test_dockerfile_sets_the_settings_module_and_unbuffered_output():
    env = _dockerfile_env()
    assert env["PYTHONUNBUFFERED"] == "1"
    (arg,) = _dockerfile("ARG")
    assert arg == "DJANGO_SETTINGS_MODULE=portal.settings"
    assert env["DJANGO_SETTINGS_MODULE"] == "${DJANGO_SETTINGS_MODULE}"


def test_image_builds_and_serves_static_files_with_the_manifest_storage():
    assert _dockerfile_env()["STATIC_MANIFEST"] == "true"
    assert any("manage.py collectstatic --noinput" in run for run in _dockerfile("RUN"))


def test_management_commands_run_at_build_time_exist():
    build_commands = {
        match for run in _dockerfile("RUN") for match in re.findall(r"manage\.py (\w+)", run)
    }
    assert build_commands == {"compile_translations", "collectstatic"}
    assert build_commands <= set(get_commands())


def test_image_runs_as_a_non_root_user():
    users = _dockerfile("USER")
    assert users
    assert users[-1] not in {"root", "0"}


def test_image_default_command_is_the_web_service_command():
    assert _dockerfile_cmd() == _service("web")["command"]


def test_gunicorn_config_named_by_the_image_exists():
    command = _dockerfile_cmd()
    assert command[0] == "gunicorn"
    config = command[command.index("--config") + 1]
    assert (ROOT / config).resolve() == GUNICORN_CONF


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".env", ".venv", "var", ".git"} <= ignored


# ---------------------------------------------------------- health endpoint


def test_image_health_check_path_is_the_healthz_view():
    from portal import views

    assert resolve(_probe_path(_dockerfile_healthcheck_probe())).func is views.healthz


def test_web_health_check_runs_the_image_probe():
    web_test = _service("web")["healthcheck"]["test"]
    assert web_test[0] == "CMD"
    assert web_test[1:] == _dockerfile_healthcheck_probe()


# ---------------------------------------------------------------- gunicorn


def test_gunicorn_serves_the_project_wsgi_application(monkeypatch, settings):
    wsgi_app = _load_gunicorn_conf(monkeypatch)["wsgi_app"]
    assert wsgi_app.replace(":", ".") == settings.WSGI_APPLICATION
    # portal.wsgi refuses to load on the development key, as a deployment would.
    settings.SECRET_KEY = "test-only-key-" + "x" * 40
    module, _, attribute = wsgi_app.partition(":")
    application = getattr(importlib.import_module(module), attribute)
    assert isinstance(application, WSGIHandler)
    assert application is import_string(settings.WSGI_APPLICATION)


def test_gunicorn_binds_all_interfaces_on_port_8000_by_default(monkeypatch):
    assert _load_gunicorn_conf(monkeypatch)["bind"] == "0.0.0.0:8000"


def test_gunicorn_reads_bind_and_workers_from_the_environment(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch, GUNICORN_BIND="127.0.0.1:9000", WEB_CONCURRENCY="3")
    assert conf["bind"] == "127.0.0.1:9000"
    assert conf["workers"] == 3


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (3, 7), (16, 8)])
def test_gunicorn_default_workers_are_twice_the_cpus_plus_one_capped(monkeypatch, cpus, workers):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert _load_gunicorn_conf(monkeypatch)["workers"] == workers


def test_gunicorn_refuses_a_worker_count_that_is_not_a_number(monkeypatch):
    with pytest.raises(RuntimeError, match="WEB_CONCURRENCY"):
        _load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="many")


def test_gunicorn_logs_requests_to_stdout_and_trusts_configured_proxies(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch, FORWARDED_ALLOW_IPS="10.0.0.0/8")
    assert conf["accesslog"] == "-"
    assert conf["forwarded_allow_ips"] == "10.0.0.0/8"


# ------------------------------------------------------------- .env.example


def test_env_example_documents_every_variable_the_settings_read():
    read = _variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL"} <= read  # the parser found the calls
    assert read - _documented_variables() == set()


def test_env_example_documents_every_variable_the_gunicorn_config_reads():
    read = _variables_read_by_gunicorn_conf()
    assert {"GUNICORN_BIND", "WEB_CONCURRENCY"} <= read
    assert read - _documented_variables() == set()


def test_env_example_documents_every_variable_compose_sets_for_the_app():
    services = _compose()["services"]
    set_by_compose = {var for name in APP_SERVICES for var in services[name]["environment"]}
    assert set_by_compose - _documented_variables() == set()


def test_env_example_documents_every_variable_compose_interpolates():
    assert _compose_interpolated_variables() - _documented_variables() == set()


def test_env_example_describes_each_variable_with_its_default():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    variable = re.compile(r"^(?:# )?[A-Z][A-Z0-9_]*=")
    for index, line in enumerate(lines):
        if not variable.match(line):
            continue
        description = []
        for previous in reversed(lines[:index]):
            if not previous.startswith("#") or variable.match(previous):
                break
            description.append(previous)
        assert description, f"{line!r} has no comment above it"
        assert any("Default" in text for text in description), f"{line!r} states no default"
