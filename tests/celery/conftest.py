"""A real Celery worker on Redis for the tests marked `celery_worker`.

The worker is a separate process started here, reading the same test database (so these
tests are transactional) and writing emails to files we can count. Locally without Redis
or PostgreSQL the tests skip; in CI (CI=true) a missing service fails them instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from partnership.celery import app as celery_app

REPO = Path(__file__).resolve().parents[2]


def _broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def _database_url() -> str | None:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def _worker_requirements():
    missing = []
    if not _broker_url():
        missing.append("CELERY_BROKER_URL")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missing.append("DATABASE_URL (PostgreSQL)")
    if missing:
        message = f"real-worker tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def celery_worker(_worker_requirements, transactional_db, tmp_path, settings):
    """Start a worker on a private queue; yield the folder where its emails land."""
    queue = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DEBUG": "true",
    }
    hostname = f"{queue}@localhost"
    celery_bin = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    process = subprocess.Popen(
        [
            celery_bin,
            "-A",
            "partnership",
            "worker",
            "-Q",
            queue,
            "-n",
            hostname,
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=" + os.environ.get("TEST_WORKER_LOGLEVEL", "WARNING"),
        ],
        cwd=REPO,
        env=env,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[hostname], timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start")
        yield mail_dir
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {predicate.__name__}")


__all__ = ["wait_for", "settings"]
