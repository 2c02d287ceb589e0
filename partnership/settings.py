"""Settings for the partnership portal.

Every setting comes from the environment with a default that is safe for the one-command
demo (SQLite, tasks in-process, console email). See docs/configuration.md for the list.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

INSECURE_DEFAULT_SECRET_KEY = "insecure-demo-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)

if not DEBUG and not TESTING and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the insecure demo default while DEBUG is off. "
        "Set SECRET_KEY to a long random value (or DEBUG=true for a local demo)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "csp",
    "partnership",
    "schools",
    "hubs",
    "panels",
    "peerreview",
    "brokerage",
    "surveys",
    "reports",
    "casework",
    "collaboration",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partnership.middleware.RequireTwoFactorMiddleware",
    "partnership.middleware.UserLanguageMiddleware",
    "partnership.tenancy.TenancyMiddleware",
]

ROOT_URLCONF = "partnership.urls"
WSGI_APPLICATION = "partnership.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnership.context_processors.portal",
            ],
            "builtins": ["partnership.templatetags.portal"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnership.User"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- django-allauth: email login, no open sign-up (people are invited) ---
ACCOUNT_ADAPTER = "partnership.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partnership portal] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Partnership portal")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "root"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- Two-factor authentication (see docs/security.md) ---
#: Roles whose holders must set up an authenticator app before using the portal.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["admin", "senior_ca", "ca"])
#: On by default in production; off for the local demo (DEBUG) and the test suite, whose
#: tests switch it on where they check it. Set MFA_ENFORCED=true to try it in the demo.
MFA_ENFORCED = env_bool("MFA_ENFORCED", not DEBUG and not TESTING)
MFA_ADAPTER = "partnership.adapters.PortalMFAAdapter"
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_TOLERANCE = 1  # accept the previous/next 30-second code (clock drift)
# Login protection: allauth's rate limits, kept in the shared cache (Redis in production).
ACCOUNT_RATE_LIMITS = {
    "login": env("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/300s/key"),
    "reset_password": env("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ACCOUNT_REAUTHENTICATION_TIMEOUT", 300)

#: Inactivity timeout in seconds (SESSION_SAVE_EVERY_REQUEST makes it count from the last request).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = True  # expiry counts from the last request: inactivity timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Languages ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go through permission-checking views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ---
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))  # for the file backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Partnership portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: Redis broker when configured, otherwise tasks run in-process ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "")
# Tests run tasks in-process unless a test asks for the real worker (tests/celery/).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING or not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", TESTING)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks; the database scheduler copies these entries into django-celery-beat.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Emails whose first delivery could not be queued (broker down) go out on the next sweep.
    "partnership-sweep-outbox": {
        "task": "partnership.tasks.sweep_outbox",
        "schedule": crontab(minute="*/5"),
    },
    # Peer-review teams and host heads hear 7 days and 1 day before each visit.
    "peerreview-visit-reminders": {
        "task": "peerreview.tasks.send_due_visit_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Headteachers who have not confirmed a support agreement after a week hear again, once.
    "brokerage-unconfirmed-agreement-reminders": {
        "task": "brokerage.tasks.remind_unconfirmed_agreements",
        "schedule": crontab(hour=7, minute=30),
    },
    # Session reminders go out the day before each programme session.
    "hubs-session-reminders": {
        "task": "hubs.tasks.send_session_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Headteachers who have not bid hear that an open call closes soon.
    "hubs-call-deadline-reminders": {
        "task": "hubs.tasks.send_call_deadline_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # Panel action owners hear a week and a day before an action is due.
    "panels-action-reminders": {
        "task": "panels.tasks.send_action_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    # Impact-survey invitations that have come due, and reminders to those yet to answer.
    "surveys-send-due-invitations": {
        "task": "surveys.tasks.send_due_invitations",
        "schedule": crontab(minute=10),
    },
    # After a term ends: every school's governor report and the board report.
    "reports-end-of-term": {
        "task": "reports.tasks.generate_end_of_term_reports",
        "schedule": crontab(hour=5, minute=0),
    },
    # Owners of challenge-adviser visit actions hear before an action is due.
    "casework-action-reminders": {
        "task": "casework.tasks.send_action_reminders",
        "schedule": crontab(hour=7, minute=50),
    },
    # Categorisation rounds move on the day after a deadline, before that morning's reminders.
    "casework-round-timetable": {
        "task": "casework.tasks.advance_rounds_by_timetable",
        "schedule": crontab(hour=0, minute=30),
    },
    # Weekly digest of newly published resources in the areas a person follows.
    "collaboration-resource-digest": {
        "task": "collaboration.tasks.send_resource_digests",
        "schedule": crontab(day_of_week=1, hour=8, minute=0),
    },
    # Survey answers and audit records older than the partnership's retention go.
    "audit-apply-retention": {
        "task": "audit.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=0),
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hang a web request: publish fails fast and the
# outbox sweeper sends what is still queued once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "partnership.tenancy.IsPartnershipMember",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnership portal API",
    "DESCRIPTION": (
        "Tenant-scoped API of the partnership portal. Every path under /api/p/{slug}/ "
        "belongs to one partnership; you must be a member of it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Reads viewsets' models outside a partnership scope (see partnership/schema.py).
    "DEFAULT_GENERATOR_CLASS": "partnership.schema.TenantSchemaGenerator",
    # One name per choice set that several serializers use (keeps the schema stable).
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "schools.models.Phase",
        "ResourceLanguageEnum": "collaboration.models.ResourceLanguage",
        "ResourceKindEnum": "collaboration.models.ResourceKind",
        "NeedsSurveyRoundStatusEnum": "surveys.models.NeedsSurveyRound.Status",
    },
}

# --- Security ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_production = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _production)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _production)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _production)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Data protection: how long records are kept (days; 0 keeps them for ever) ---
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 6 * 365)
SURVEY_ANSWER_RETENTION_DAYS = env_int("SURVEY_ANSWER_RETENTION_DAYS", 3 * 365)
# The largest partnership archive import_partnership accepts, uncompressed.
PORTABILITY_MAX_BYTES = env_int("PORTABILITY_MAX_BYTES", 2 * 1024**3)

# --- Portal ---
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
SCHOOL_IMPORT_MAX_BYTES = env_int("SCHOOL_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
# Evidence and bid documents: the largest file accepted, and how early call reminders go.
HUBS_UPLOAD_MAX_BYTES = env_int("HUBS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
HUBS_CALL_REMINDER_DAYS = env_int("HUBS_CALL_REMINDER_DAYS", 3)
# Shared resources: the largest file accepted (by default the same as hubs' documents).
COLLABORATION_UPLOAD_MAX_BYTES = env_int("COLLABORATION_UPLOAD_MAX_BYTES", HUBS_UPLOAD_MAX_BYTES)
# The composition check flags anyone sitting on more panels than this.
PANELS_MAX_PANELS_PER_PERSON = env_int("PANELS_MAX_PANELS_PER_PERSON", 3)
# Visit actions and categorisation deadlines: how many days ahead reminders start.
CASEWORK_ACTION_REMINDER_DAYS = env_int("CASEWORK_ACTION_REMINDER_DAYS", 7)
# Termly reports: a "running" report older than this is taken over by another worker;
# the daily run generates reports for terms that ended up to this many days ago.
REPORTS_STALE_AFTER_SECONDS = env_int("REPORTS_STALE_AFTER_SECONDS", 900)
REPORTS_END_OF_TERM_WINDOW_DAYS = env_int("REPORTS_END_OF_TERM_WINDOW_DAYS", 14)
