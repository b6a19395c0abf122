# syntax=docker/dockerfile:1
#
# One image for every process of the portal: the web server (the default
# command), the Celery worker and beat, and one-shot management commands such
# as `python manage.py migrate`. See docker-compose.yml for how they are run.

FROM python:3.11-slim-bookworm

ARG DJANGO_SETTINGS_MODULE=portal.settings

# STATIC_MANIFEST is needed at build time (collectstatic writes hashed,
# compressed files and their manifest) and at run time (templates then resolve
# those hashed names), so it is part of the image's environment.
ENV DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE} \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    STATIC_MANIFEST=true

# Pango, HarfBuzz and fonts with Vietnamese glyphs for WeasyPrint's PDFs;
# gettext for developers who run makemessages inside the container;
# pg_dump and pg_restore for `manage.py backup` and `restore` (PostgreSQL 15,
# as the compose database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-dejavu-extra \
        gettext \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Only the
# runtime lock: every package pinned and hash-checked, nothing resolved here.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code stays owned by root, so the running process cannot change it; only
# var/ (the SQLite fallback, uploads, the beat schedule) belongs to the app
# user. The home directory gives fontconfig and gunicorn somewhere to write.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home \
        --home-dir /home/portal --shell /usr/sbin/nologin portal

COPY . .

# Compiled translations and collected static files are baked into the image,
# so every container of one release serves the same assets.
RUN python manage.py compile_translations \
    && python manage.py collectstatic --noinput \
    && mkdir -p var/media var/celerybeat \
    && chown portal:portal var var/media var/celerybeat

USER portal

EXPOSE 8000

# /healthz answers 200 when the database does. The probe sends the first entry
# of ALLOWED_HOSTS as its Host header (Django rejects any other host when DEBUG
# is off) and X-Forwarded-Proto so that SECURE_SSL_REDIRECT behind a proxy
# does not bounce it. Python's urllib because the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = [x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS', 'localhost').split(',') if x.strip() not in ('', '*')]; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': (h + ['localhost'])[0], 'X-Forwarded-Proto': 'https'}), timeout=4)"]

CMD ["gunicorn", "--config", "portal/gunicorn.conf.py"]
