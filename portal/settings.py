"""Settings for Portail.

Every setting a deployment may change is read from an environment variable, named next to it,
with a safe default for a local run (`make run`). docs/deployment.md lists the production ones.
"""

import os
import shutil
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Templates, static files and translations: at the top of a source checkout, inside the package
# (portal/site/) once installed from the wheel (docs/decisions/0009-site-files-in-the-wheel.md).
SITE_DIR = Path(__file__).resolve().parent / "site"
INSTALLED_FROM_WHEEL = SITE_DIR.is_dir()
if not INSTALLED_FROM_WHEEL:
    SITE_DIR = BASE_DIR
# PORTAL_VAR_DIR: SQLite file, emails, collected static files. Default: var/ of the checkout, or
# of the folder the installed portal is started from (never inside site-packages).
VAR_DIR = Path(
    os.environ.get("PORTAL_VAR_DIR", (Path.cwd() if INSTALLED_FROM_WHEEL else BASE_DIR) / "var")
)
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------------

# DJANGO_DEBUG: on for a local run, off in production.
DEBUG = env_bool("DJANGO_DEBUG", default=False)
# DJANGO_SECRET_KEY: required in production; the local default is only for a laptop. Served
# over HTTPS or under a host name other than localhost, the portal refuses to start without it
# (portal.checks, check portal.E001).
PORTAL_LOCAL_SECRET_KEY = "insecure-local-only-0f1e2d3c4b5a69788796a5b4c3d2e1f0-portail"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", PORTAL_LOCAL_SECRET_KEY)
# DJANGO_ALLOWED_HOSTS: comma-separated; a forged Host header gets a 400.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# PORTAL_BASE_URL: the canonical address used in links sent by email (never the request's Host).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# PORTAL_FIELD_KEYS: Fernet keys (comma-separated, newest first) that encrypt the social
# insurance numbers at rest; without one the portal refuses to store a NAS. Rotation: put the
# new key first, run `manage.py reencrypt_sin`, then drop the old one (docs/tax-slips.md).
PORTAL_FIELD_KEYS = env_list("PORTAL_FIELD_KEYS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "captcha",
    "django.forms",
    "portal",
    "students",
    "accounts",
    "billing",
    "messaging",
    "parents",
    "library",
    "certificates",
    "registration",
    "portal.tasks_app.TasksDatabaseConfig",  # django_tasks_db, named in French
]

MIDDLEWARE = [
    # Request ids in logs and headers, then /sante/ before anything that needs a session or a
    # Host check (portal/observability.py, portal/health.py).
    "portal.observability.RequestIdMiddleware",
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # NUL characters anywhere in the request: a 400 before any view or database lookup.
    "portal.middleware.InputCleaningMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A browser between the password and the second step is sent back to it (accounts).
    "accounts.middleware.LoginStageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.InstitutionMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "billing.middleware.OverdueRestrictionMiddleware",
    "portal.middleware.PrivatePagesNoStoreMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
    # The pages a student or a parent opens most (portal/jinja2.py, decision 0016); a view
    # names this engine: render(request, "portal/home.html", context, using="jinja2").
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [SITE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

# DATABASE_URL: PostgreSQL in production and CI (postgres://user@host:5432/name); a SQLite file
# under var/ otherwise. Connections are kept: without it PostgreSQL pages run 2.6x slower.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttles live here) ------------------------------------------------------------

# REDIS_URL: shared Redis for several workers; the database cache otherwise, which is shared
# too, so throttles count across processes in every setup. PORTAL_CACHE_KEY_PREFIX: only for
# two portals (or test runs) sharing one Redis database; every app server of one portal
# must use the same prefix.
_cache_key_prefix = os.environ.get("PORTAL_CACHE_KEY_PREFIX", "portail")
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": _cache_key_prefix,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
            "KEY_PREFIX": _cache_key_prefix,
        }
    }

# --- Authentication -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.AudienceBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id first, at OWASP's minimum (t=2, 19 MiB, p=1): about 24 ms a hash on our 2-core
# boxes where PBKDF2 costs 460 ms. See docs/decisions/0002-argon2-parameters.md.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# The institution's own policy is added on top of these by accounts.passwords, per request.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.InstitutionPolicyValidator"},
    {"NAME": "accounts.validators.PersonalDataValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute lifetime: 12 hours
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Named throttles: (attempts, window in seconds, lockout in seconds), per identifier ("key")
# and per client address ("ip"). Failed logins and failed identity checks share one count.
PORTAL_RATE_LIMITS = {
    "login_failed": {"key": (5, 15 * 60, 15 * 60), "ip": (20, 60, 5 * 60)},
    # Wrong answers to the secret questions: 3 submissions close the route for 15 minutes.
    "recovery_failed": {"key": (3, 15 * 60, 15 * 60), "ip": (20, 60, 5 * 60)},
    # Requests that send a link by email: no mailbox flooding.
    "link_requested": {"key": (3, 60 * 60, 60 * 60), "ip": (30, 60 * 60, 60 * 60)},
    # "Envoyer" on a receipt: 5 emails an hour per person.
    "receipt_email": {"key": (5, 60 * 60, 60 * 60), "ip": (20, 60 * 60, 60 * 60)},
    # A parent's account creation ("Confirmer"): 5 attempts per email, 20 per address, an hour.
    "parent_signup": {"key": (5, 60 * 60, 60 * 60), "ip": (20, 60 * 60, 60 * 60)},
    # "Contacter l'école": 3 forms an hour per email, 10 per address.
    "parent_help": {"key": (3, 60 * 60, 60 * 60), "ip": (10, 60 * 60, 60 * 60)},
    # Wrong codes at the second step (app or recovery code): 5 lock it for 15 minutes.
    "second_factor_failed": {"key": (5, 15 * 60, 15 * 60), "ip": (20, 60, 5 * 60)},
    # /verifier/ (public): 30 codes checked per address in 10 minutes, then 10 minutes' wait.
    "attestation_verify": {"key": (30, 10 * 60, 10 * 60), "ip": (30, 10 * 60, 10 * 60)},
}
# The longest link lifetime (an employee's first use); each kind of link checks its own.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
# Number of proxies in front of the app whose X-Forwarded-For we trust (0: use REMOTE_ADDR).
PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))

# --- HTTPS and security headers -------------------------------------------------------------

# PORTAL_HTTPS: set to 1 when served over HTTPS (production).
HTTPS = env_bool("PORTAL_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language choice is a cookie like the others: secure-only under HTTPS, same-site, and out
# of reach of scripts (no page script reads it).
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and env_bool("PORTAL_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# PORTAL_HSTS_PRELOAD: the "preload" directive (on with HTTPS unless set to 0).
SECURE_HSTS_PRELOAD = HTTPS and env_bool("PORTAL_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("PORTAL_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
# Date formats per language beyond Django's own (portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = os.environ.get("PORTAL_TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [SITE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("PORTAL_MANIFEST_STATIC")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Without collectstatic (a local run), WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not env_bool("PORTAL_MANIFEST_STATIC")
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ----------------------------------------------------------------------------------

# EMAIL_HOST (+ EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS): SMTP in
# production. Without it, every email is written as a file under var/mail/ (see README).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portail <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {
                "file_path": str(Path(os.environ.get("PORTAL_MAIL_DIR", VAR_DIR / "mail")))
            },
        }
    }

# --- Background tasks -----------------------------------------------------------------------

# Emails, receipts' PDFs and reminders leave through Django's tasks framework, after the
# transaction commits. PORTAL_TASKS chooses the queue (docs/deployment.md):
#   db (default): a table of the portal's own database, run by `manage.py db_worker`;
#   rq: Redis (PORTAL_TASKS_REDIS_URL, else REDIS_URL), run by `manage.py rqworker default`;
#   immediate: inside the web request (tests, or a laptop without a worker).
PORTAL_TASKS = os.environ.get("PORTAL_TASKS", "db").strip().lower()
if PORTAL_TASKS not in {"db", "rq", "immediate"}:
    raise ImproperlyConfigured(f"PORTAL_TASKS must be db, rq or immediate, not {PORTAL_TASKS!r}.")
if PORTAL_TASKS == "rq":
    TASKS_REDIS_URL = os.environ.get("PORTAL_TASKS_REDIS_URL") or os.environ.get("REDIS_URL")
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured("PORTAL_TASKS=rq needs REDIS_URL or PORTAL_TASKS_REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 300}}
elif PORTAL_TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task that fails is enqueued again after 1, 2, 4, 8... minutes, up to this many attempts.
PORTAL_TASK_MAX_ATTEMPTS = int(os.environ.get("PORTAL_TASK_MAX_ATTEMPTS", "5"))
PORTAL_TASK_RETRY_DELAY = int(os.environ.get("PORTAL_TASK_RETRY_DELAY", "60"))

# --- Payments -------------------------------------------------------------------------------

# STRIPE_SECRET_KEY: with it, card payments go through Stripe Checkout; without it, through the
# built-in demo card form. STRIPE_WEBHOOK_SECRET: the signing secret of the webhook endpoint
# /paiement/stripe/webhook/. STRIPE_API_BASE: only to point the library at a stand-in server.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

# --- Forms and CAPTCHA ----------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# PORTAL_CAPTCHA_TEST_MODE=1 makes the CAPTCHA accept "PASSED" (tests only, never by default).
CAPTCHA_TEST_MODE = env_bool("PORTAL_CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
# A readable image: large, a plain bold font, little rotation, dots but no crossing arcs, and
# only characters that cannot be mistaken for one another (accounts/captcha.py).
CAPTCHA_CHALLENGE_FUNCT = "accounts.captcha.readable_challenge"
CAPTCHA_IMAGE_SIZE = (220, 70)
CAPTCHA_FONT_SIZE = 44
CAPTCHA_LETTER_ROTATION = (-10, 10)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
_CAPTCHA_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
if _CAPTCHA_FONT.exists():  # Debian's fonts-dejavu-core; else the package's own Vera
    CAPTCHA_FONT_PATH = str(_CAPTCHA_FONT)
# PORTAL_CAPTCHA_FLITE: the flite program that reads the CAPTCHA aloud (Debian's `flite`),
# found on the PATH by default; empty turns the audio version off.
CAPTCHA_FLITE_PATH = os.environ.get("PORTAL_CAPTCHA_FLITE", shutil.which("flite") or "") or None
# Widgets are rendered from the project's templates first (the CAPTCHA's widget).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Logging --------------------------------------------------------------------------------

# PORTAL_LOG_FORMAT: "plain" (default) or "json", one object per line for log collectors. Every
# record carries the request id (X-Request-ID) of the request it was written in. The token part
# of emailed links (reset, activation, email change) is masked in every log line, Django's and
# runserver's here, gunicorn's through portal/gunicorn_conf.py (portal/logmask.py).
PORTAL_LOG_FORMAT = os.environ.get("PORTAL_LOG_FORMAT", "plain").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.observability.RequestIdFilter"},
        "mask_tokens": {"()": "portal.logmask.TokenMaskFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.observability.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PORTAL_LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "mask_tokens"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["mask_tokens"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
