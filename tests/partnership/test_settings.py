"""Settings read from the environment, checked in a fresh interpreter.

Each test starts Python in a subprocess with a clean environment: the settings module
relaxes its production guard under pytest (`"pytest" in sys.modules`), and the test run's
own DATABASE_URL or broker must not leak into what is being checked.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "DATABASE_URL": "postgres://portal:s3cret@db.internal:5433/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/1",
}


def run(code_or_args: str | list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -c code` (or python with args) from the repository root with only `env`."""
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(REPO), **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting_values(*names: str, **env: str) -> dict:
    code = (
        "import json; from partnership import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def real_key() -> str:
    return secrets.token_urlsafe(50)


def test_settings_refuse_the_default_secret_key_with_debug_off():
    result = run("import partnership.settings", DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is the insecure demo default" in result.stderr


def test_settings_load_with_debug_off_and_a_real_secret_key():
    result = run("import partnership.settings", DEBUG="false", SECRET_KEY=real_key())

    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=real_key(),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_selects_postgresql():
    values = setting_values("DATABASES", SECRET_KEY=real_key(), **PRODUCTION)

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "portal")
    assert (database["USER"], database["PASSWORD"]) == ("portal", "s3cret")


def test_without_database_url_the_demo_uses_sqlite_in_the_repository():
    values = setting_values("DATABASES", DEBUG="true")

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(REPO / "db.sqlite3")


def test_without_a_broker_tasks_run_in_process():
    values = setting_values("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", DEBUG="true")

    assert values == {"CELERY_BROKER_URL": "", "CELERY_TASK_ALWAYS_EAGER": True}


def test_with_a_broker_tasks_go_to_the_worker():
    values = setting_values(
        "CELERY_TASK_ALWAYS_EAGER", DEBUG="true", CELERY_BROKER_URL="redis://127.0.0.1:6379/1"
    )

    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_redis_url_alone_is_the_broker_and_the_shared_cache():
    values = setting_values(
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "CACHES",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )

    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_production_defaults_are_secure_when_debug_is_off():
    values = setting_values(
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "EMAIL_BACKEND",
        SECRET_KEY=real_key(),
        **PRODUCTION,
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
