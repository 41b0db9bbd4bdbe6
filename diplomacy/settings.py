"""Settings for the City Diplomacy Registry.

One module, driven by environment variables (see the README's table). With no
environment at all it runs for development: SQLite in the project folder,
``DEBUG`` on and a development-only secret key. Production sets ``DEBUG=false``,
``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually ``DATABASE_URL``.
"""

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1/true/yes/on" or "0/false/no/off")."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable into a list of strings."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # Django's deploy check (security.W009) only warns; a guessable key signs sessions and resets.
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters with at least 5 different ones when DEBUG is false "
        '(e.g. python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "registry.apps.RegistryAdminConfig",  # django.contrib.admin, the registry first (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "registry",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and API answers, never one with a CSRF token or for a signed-in user (BREACH).
    "registry.middleware.PublicGZipMiddleware",
    "registry.db_routers.PrimaryPinningMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The admin and the API in the reader's language (Accept-Language or the language cookie).
    "registry.middleware.HeaderLanguageMiddleware",
    # Before anything reads the body or looks the path up, after the language (error messages).
    "registry.middleware.RequestSizeLimitMiddleware",
    "registry.middleware.UnstorableTextMiddleware",
    # An API path without its trailing slash: problem+json, before APPEND_SLASH's redirect and CSRF.
    "registry.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # SQLite locked by a long writer (an import) past its timeout: 503 with Retry-After, not 500.
    "registry.middleware.DatabaseBusyMiddleware",
    "registry.cache.AnonymousPageCacheMiddleware",  # whole public pages for anonymous readers
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: locks out repeated failed logins (admin and API).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client address of every limit (API throttle, login lockout) comes from one trusted source:
# REMOTE_ADDR, or behind NUM_PROXIES reverse proxies the address the outermost one saw
# (registry.api.throttling.client_address). X-Forwarded-For is ignored when NUM_PROXIES is 0.
REGISTRY_NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "registry.api.throttling.client_address"

ROOT_URLCONF = "diplomacy.urls"

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
            ],
        },
    },
]

# Forms and widgets: Django's own templates in Jinja2, the admin's in the template language.
FORM_RENDERER = "diplomacy.form_renderer.FormRenderer"

WSGI_APPLICATION = "diplomacy.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

# A read replica (optional): reads go there, writes and reads after a write to the primary.
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "5"))
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["registry.db_routers.ReplicaRouter"]

for _database in DATABASES.values():
    if "postgresql" in _database["ENGINE"]:
        # No JIT compilation: the registry's queries are short, and JIT spent 50 ms compiling
        # a 250 ms query (``EXPLAIN ANALYZE`` at 100,000 partnerships, see bench/). Planning
        # and execution are otherwise unchanged.
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take the lock when their transaction starts (no "database is locked" half-way
    # through), wait up to 20 s for it, and readers do not block writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL;"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English at /, Korean under /ko/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# The office's time zone (an IANA name): the admin shows times in it, and "today" (what is in
# force, the default date of the figures) is its date. Times are stored in UTC.
TIME_ZONE = os.environ.get("REGISTRY_TIME_ZONE") or "UTC"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        f"REGISTRY_TIME_ZONE must be an IANA time zone name such as Asia/Seoul or UTC, not {TIME_ZONE!r}."
    ) from None
USE_TZ = True
# Per language, a date and time names the time zone it is shown in (diplomacy/formats/).
FORMAT_MODULE_PATH = ["diplomacy.formats"]

# Served under a path (a proxy's /registry/, gunicorn's SCRIPT_NAME=/registry): the same path as
# Django's FORCE_SCRIPT_NAME, and static files linked under it as pages are. A relative STATIC_URL is
# made absolute when first read, at start-up (WhiteNoise, the manifest storage), before any request sets
# the prefix: /static/… was linked, which gunicorn refused, and the year control's script never loaded
# (adversarial probe). WhiteNoise serves from STATIC_URL less FORCE_SCRIPT_NAME.
FORCE_SCRIPT_NAME = os.environ.get("SCRIPT_NAME") or None
STATIC_URL = f"{FORCE_SCRIPT_NAME.rstrip('/')}/static/" if FORCE_SCRIPT_NAME else "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security: production values switch on with DEBUG=false.
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, set BEHIND_HTTPS_PROXY=true.
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# In production the cookies carry the __Host- prefix: browsers then accept them only over HTTPS,
# for this exact host and path /, so a sibling subdomain cannot plant or overwrite them.
if not DEBUG:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8  # staff sign in again after 8 hours
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Request bodies: form fields and JSON up to 2.5 MB (Django's default); any body up to 25 MB
# (an agreement PDF is at most 20 MB); larger requests are refused with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_REQUEST_BODY_BYTES = 25 * 1024 * 1024

# Spreadsheet import/export (django-import-export): all-or-nothing; formulae are neutralised
# by registry.resources.RegistryResource (the library's option only strips a leading "=").
IMPORT_EXPORT_USE_TRANSACTIONS = True


# What every page's footer says about the data: its licence (name and URL), how to cite it and
# whom to write to (the office's contact: an e-mail address or a URL; not shown when empty).
REGISTRY_DATA_LICENCE = os.environ.get("REGISTRY_DATA_LICENCE", "CC BY 4.0")
REGISTRY_DATA_LICENCE_URL = os.environ.get("REGISTRY_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
REGISTRY_CITE_AS = os.environ.get("REGISTRY_CITE_AS", "City Diplomacy Registry")
REGISTRY_CONTACT = os.environ.get("REGISTRY_CONTACT", "")

# Origins (scheme://host[:port]) allowed to show the widget pages (/widget/) in an <iframe>, e.g.
# "https://www.busan.go.kr"; every other page may not be framed at all.
REGISTRY_WIDGET_FRAME_ANCESTORS = env_list("REGISTRY_WIDGET_FRAME_ANCESTORS", "")

# The registry's home city: the slug of a City row (Busan in the shipped data).
REGISTRY_HOME_CITY = os.environ.get("REGISTRY_HOME_CITY", "busan")
# The home country whose municipal networks the national roll-up adds up (ISO 3166-1 alpha-2).
REGISTRY_HOME_COUNTRY = os.environ.get("REGISTRY_HOME_COUNTRY", "KR").upper()

# The right-hand side of every iCalendar UID (event-<slug>@<domain>): the same whatever host or
# language a feed is read from, so a subscriber to several feeds sees each event once.
REGISTRY_ICAL_UID_DOMAIN = os.environ.get("REGISTRY_ICAL_UID_DOMAIN", "city-diplomacy-registry")

# Cache: shared by the API's throttling and its change stamp (Last-Modified). In-process by
# default; set REDIS_URL (e.g. redis://127.0.0.1:6379/0) when several processes serve the site.
# Redis through django-redis, which keeps one client per process: Django's own backend builds a
# redis-py client for every operation (0.2 ms each with redis-py 8, several per request).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Without Redis, production mode (several gunicorn workers) shares a file cache so that every
# worker sees the same invalidations; development uses this process's memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
elif not DEBUG:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"}}
# The release answers are cached under (registry.cache.release): a deploy may set it, e.g. to
# its commit; empty, it is a hash of the code, templates, translations and static files.
REGISTRY_RELEASE = os.environ.get("REGISTRY_RELEASE", "")

# Background work (reminders, large imports) goes through Django's tasks API (django-tasks) and is
# stored in the database (django-tasks-db); `python manage.py db_worker` runs it. Tests and
# REGISTRY_TASKS_IMMEDIATE=1 run each task at once, in the request that enqueues it.
if env_bool("REGISTRY_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A spreadsheet with more rows than this is checked and imported by the task worker, with its
# progress on an admin page (registry.imports); smaller ones are previewed in the request.
REGISTRY_IMPORT_BACKGROUND_ROWS = int(os.environ.get("REGISTRY_IMPORT_BACKGROUND_ROWS", "2000"))
# A background import the worker has not reported on (a status change or progress every 500
# rows) for more minutes than this is stalled: the worker stopped (killed, machine restarted) or
# is not running. Its admin page stops reloading and lets a manager end it (ImportJob.stalled).
REGISTRY_IMPORT_STALL_MINUTES = int(os.environ.get("REGISTRY_IMPORT_STALL_MINUTES", "15"))

# The office's week (issue 11). Reminders e-mail each member of the "Registry managers" group this
# many days before an agreement's expiry or notice deadline and a round anniversary (each once);
# a relation is dormant after this many years without an event, delegation or agreement.
REGISTRY_REMINDER_DAYS = tuple(int(days) for days in env_list("REGISTRY_REMINDER_DAYS", "180,90,30"))
REGISTRY_DORMANT_YEARS = int(os.environ.get("REGISTRY_DORMANT_YEARS", "3"))
# The site's address in e-mails (reminders link to the admin).
REGISTRY_SITE_URL = os.environ.get("REGISTRY_SITE_URL", "http://127.0.0.1:8000/")
# E-mail: printed on the console in development, sent by SMTP (EMAIL_HOST, ...) in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "registry@localhost")

# JSON API at /api/v1/ (registry/api.py). Reading is open; writing needs a session (with CSRF)
# or a token and the Django model permission. Anonymous reads are throttled per client address.
REGISTRY_API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
# Anonymous exports (every row a filter selects) have their own, lower rate (pages and API).
REGISTRY_EXPORT_ANON_RATE = os.environ.get("EXPORT_ANON_RATE", "10/minute")
REGISTRY_API_MAX_PAGE_SIZE = 200
# An API token stops working this many days after it was created (issue a new one in the admin).
REGISTRY_API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registry.api.permissions.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.StrictJSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["registry.api.permissions.StaffModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["registry.api.filter_backends.RegistryFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["registry.api.throttling.AnonReadThrottle"],
    "NUM_PROXIES": REGISTRY_NUM_PROXIES,
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "registry.api.renderers.RegistryContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "registry.api.schema.RegistryAutoSchema",
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "City Diplomacy Registry API",
    "DESCRIPTION": (
        "Partner cities, partnerships, agreements, events and delegations, every fact with its sources. "
        "Reading is open to everyone (anonymous reads are rate-limited); writing needs a token "
        "(`Authorization: Token …`) or a session with CSRF, and the Django model permission. "
        'Dates carry their precision: `"1966"` with precision `year` is a date known only to the year.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.document_parameter_bounds",
        "registry.api.schema.commonmark_descriptions",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_LIB_DOC_EXCLUDES": "registry.api.schema.lib_doc_excludes",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "registry.models.DatePrecision",
        "PublicationEnum": "registry.models.Publication",
        "ConfidenceEnum": "registry.models.Confidence",
        "AdminLevelEnum": "registry.models.City.AdminLevel",
        "CityNameKindEnum": "registry.models.CityName.Kind",
        "PartnershipKindEnum": "registry.models.Partnership.Kind",
        "PartnershipStatusEnum": "registry.models.Partnership.Status",
        "AgreementKindEnum": "registry.models.Agreement.Kind",
        "EventKindEnum": "registry.models.Event.Kind",
        "DelegationKindEnum": "registry.models.Delegation.Kind",
        "OrganizationKindEnum": "registry.models.Organization.Kind",
        "OutcomeKindEnum": "registry.models.Outcome.Kind",
        "AmountQualifierEnum": "registry.models.Outcome.Qualifier",
    },
}

# CORS: anyone may read the API from a browser on another origin; nobody may write from one.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since", "user-agent"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition"]


# Logs go to standard error; LOG_FORMAT=json gives one JSON object per line (make serve).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
