# The portal's image: one image for every process (web, worker, beat, migrate).
# See docs/docker.md. Build: `docker compose build` (or `docker build -t partnership-portal .`).

# --- build: dependencies, compiled translations, collected static files ---------------
FROM python:3.11-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext (msgfmt) is only needed to compile the Welsh translations at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install . && rm -rf build *.egg-info

COPY . .
# A build-only key: settings refuse the insecure default with DEBUG off; nothing signed
# at build time survives into the running containers (they get SECRET_KEY from .env).
RUN export DEBUG=false SECRET_KEY=build-only-key-not-used-at-runtime \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --noinput -v 0 \
    && rm -f /tmp/build.sqlite3

# --- runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DEBUG=false \
    MEDIA_ROOT=/app/media

# WeasyPrint (PDF reports and minutes) needs Pango and a font with Welsh characters.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home portal

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# Uploaded and generated files: a volume in docker-compose.yml, owned by the app user so
# a fresh named volume inherits that ownership.
RUN mkdir -p /app/media && chown portal:portal /app/media

USER portal
EXPOSE 8000

# /healthz answers 200 when the database answers. ALLOWED_HOSTS applies to it, so the
# probe sends the first allowed host name ("*" and ".domain" forms handled).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

# Gunicorn reads WEB_CONCURRENCY (worker processes) and GUNICORN_CMD_ARGS (extra flags)
# from the environment. HTTPS behind a proxy is Django's job: TRUST_X_FORWARDED_PROTO.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "partnership.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
