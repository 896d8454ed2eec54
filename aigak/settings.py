"""Settings, all from the environment with safe defaults (see README, "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta

import dj_database_url

from aigak.lib.env import data_dir, env_bool, env_choice, env_int, env_list, secret_key

DATA_DIR = data_dir()
BASE_DIR = os.path.dirname(os.path.abspath(__file__))

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("AIGAK_DEBUG", False)
ALLOWED_HOSTS = env_list("AIGAK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("AIGAK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # admin.py modules: on loading the URLs
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "aigak.accounts",
    "aigak.questionnaires",
    "aigak.records",
    "aigak.runs",
    "aigak.evidence",
    "aigak.reports",
    "aigak.collection",
    "aigak.linkage",
    "aigak.estimation",
    "aigak.publishing",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "aigak.api",
    "aigak.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aigak.lib.security.SecurityHeaders",  # after WhiteNoise: static files stay cacheable
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "aigak.accounts.middleware.AuditRequests",
    "aigak.accounts.middleware.LoginRequiredEverywhere",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aigak.lib.busy.TurnAwayLateWrites",  # a write the server turned away: 503
]

ROOT_URLCONF = "aigak.site.urls"
WSGI_APPLICATION = "aigak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "aigak.lib.templates.Templates",  # tag libraries imported when loaded
        "NAME": "django",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'aigak.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the web server's writers queued (aigak/lib/sqlite3).
    DATABASES["default"]["ENGINE"] = "aigak.lib.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # as Django's own SQLite tests
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Kept between requests, as on PostgreSQL: opening one (its PRAGMAs read the schema)
    # cost each page about 2 ms of CPU. Each server thread keeps its own; outside a
    # transaction it holds no lock and no snapshot (autocommit).
    DATABASES["default"]["CONN_MAX_AGE"] = 60

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("kk", "Қазақша")]
LOCALE_PATHS = [os.path.join(BASE_DIR, "locale")]
TIME_ZONE = os.environ.get("AIGAK_TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = str(DATA_DIR / "static")
os.makedirs(STATIC_ROOT, exist_ok=True)  # WhiteNoise warns about a missing root
STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = str(DATA_DIR / "media")
# Where background runs (matching, the latent-class estimate) run: a thread of the web
# server, or `aigak worker` (aigak.runs.background).
RUNS_IN = env_choice("AIGAK_RUNS_IN", ("thread", "worker"))
# The public statistics: built in the background after records change (`background`), or
# only by `aigak statistics` (`command`, e.g. from cron) (aigak.publishing.statistics_runs).
PUBLIC_STATISTICS = env_choice("AIGAK_PUBLIC_STATISTICS", ("background", "command"))

EVIDENCE_ROOT = os.environ.get("AIGAK_EVIDENCE_DIR") or str(DATA_DIR / "evidence")
# A file holding a 32-byte key (hex or base64), outside the data and evidence folders: when
# set, evidence files are encrypted at rest (aigak.evidence.at_rest).
EVIDENCE_KEY_FILE = os.environ.get("AIGAK_EVIDENCE_KEY_FILE", "")
EVIDENCE_MAX_SIZE = env_int("AIGAK_EVIDENCE_MAX_SIZE", 20 * 1024**3)
# Comma-separated MIME types, `video/*` for a whole family; empty means the shipped list
# (aigak.evidence.sniff.DEFAULT_ALLOWED_TYPES). Executables are refused whatever it says.
EVIDENCE_ALLOWED_TYPES = env_list("AIGAK_EVIDENCE_ALLOWED_TYPES", [])
# Seconds an unfinished resumable upload is kept after it was started (7 days).
EVIDENCE_UPLOAD_EXPIRY = timedelta(seconds=env_int("AIGAK_EVIDENCE_UPLOAD_EXPIRY", 7 * 24 * 3600))
# OpenRosa (aigak.collection): the POST size devices are told to split submissions at
# (X-OpenRosa-Accept-Content-Length), and the largest POST taken at all (413 above it).
COLLECTION_ACCEPT_LENGTH = env_int("AIGAK_COLLECTION_ACCEPT_LENGTH", 100 * 1024**2)
COLLECTION_MAX_SIZE = env_int("AIGAK_COLLECTION_MAX_SIZE", EVIDENCE_MAX_SIZE + 10 * 1024**2)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("AIGAK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Headers and HTTPS (see docs/security.md). AIGAK_SECURE_COOKIES=1 means "served over
# HTTPS only": secure cookies, HSTS for a year and a redirect of plain HTTP. Behind a
# proxy that ends TLS, AIGAK_TLS_PROXY=1 trusts its X-Forwarded-Proto (the proxy must
# set it on every request). CSP and Cache-Control: aigak.lib.security.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("AIGAK_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login, sessions, second factor and lockout (docs/security.md, "Login and sessions").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}", "OPTIONS": options}
    for name, options in (
        ("UserAttributeSimilarityValidator", {}),
        ("MinimumLengthValidator", {"min_length": 12}),
        ("CommonPasswordValidator", {}),
        ("NumericPasswordValidator", {}),
    )
]
SESSION_COOKIE_AGE = env_int("AIGAK_SESSION_AGE", 8 * 3600)  # absolute, in seconds
SESSION_IDLE_TIMEOUT = env_int("AIGAK_SESSION_IDLE", 30 * 60)  # seconds without a request
TWO_FACTOR_ROLES = env_list("AIGAK_2FA_ROLES", ["admin", "coordinator", "lawyer"])
TWO_FACTOR_GRACE = timedelta(days=env_int("AIGAK_2FA_GRACE_DAYS", 7))
TOKEN_LIFETIME = timedelta(days=env_int("AIGAK_TOKEN_DAYS", 90))
OTP_TOTP_ISSUER = "Aigak"
AXES_FAILURE_LIMIT = env_int("AIGAK_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AIGAK_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each alone: per account, per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "aigak.accounts.auditlog.client_ip"

# The REST API (aigak.api): tokens or the session, problem responses, limits per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aigak.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["aigak.api.auth.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("AIGAK_API_RATE", "1200/minute")},
    "EXCEPTION_HANDLER": "aigak.api.problems.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "aigak.api.schema.AigakSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aigak REST API",
    "DESCRIPTION": "Records, questionnaires, persons, evidence, victim lists, reports and "
    "estimates, under the same rules as the pages. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no outside call
    "REDOC_UI_SETTINGS": {},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aigak.api.schema.add_problem_responses",
    ],
}

# Django's error reporter, loaded with the first error (aigak.lib.error_report).
DEFAULT_EXCEPTION_REPORTER = "aigak.lib.error_report.exception_reporter"

# Logs carry what happened and to which object id, never answers or names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Tokens in URLs (ODK Collect's server address) never reach a log line.
    "filters": {"hide_secrets": {"()": "aigak.lib.log_privacy.HideSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["hide_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("AIGAK_LOG_LEVEL", "WARNING")},
}
