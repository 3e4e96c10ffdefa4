import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# gunicorn does not run the system checks: refuse to serve the public with the repository's key.
from portal.checks import secret_key_errors  # noqa: E402

if errors := secret_key_errors():
    raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
