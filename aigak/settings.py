"""Settings, all from the environment with safe defaults (see README, "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta

import dj_database_url

from aigak.lib.env import data_dir, env_bool, env_int, env_list, secret_key

DATA_DIR = data_dir()
BASE_DIR = os.path.dirname(os.path.abspath(__file__))

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("AIGAK_DEBUG", False)
ALLOWED_HOSTS = env_list("AIGAK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("AIGAK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "aigak.accounts",
    "aigak.questionnaires",
    "aigak.records",
    "aigak.evidence",
    "aigak.reports",
    "aigak.linkage",
    "aigak.estimation",
    "aigak.publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aigak.accounts.middleware.LoginRequiredEverywhere",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aigak.urls"
WSGI_APPLICATION = "aigak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "records:list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
EVIDENCE_ROOT = os.environ.get("AIGAK_EVIDENCE_DIR") or str(DATA_DIR / "evidence")
EVIDENCE_MAX_SIZE = env_int("AIGAK_EVIDENCE_MAX_SIZE", 20 * 1024**3)
# Comma-separated MIME types, `video/*` for a whole family; empty means the shipped list
# (aigak.evidence.sniff.DEFAULT_ALLOWED_TYPES). Executables are refused whatever it says.
EVIDENCE_ALLOWED_TYPES = env_list("AIGAK_EVIDENCE_ALLOWED_TYPES", [])
# Seconds an unfinished resumable upload is kept after it was started (7 days).
EVIDENCE_UPLOAD_EXPIRY = timedelta(seconds=env_int("AIGAK_EVIDENCE_UPLOAD_EXPIRY", 7 * 24 * 3600))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("AIGAK_SESSION_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("AIGAK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Logs carry what happened and to which object id, never answers or names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AIGAK_LOG_LEVEL", "WARNING")},
}
