"""The portal's own system checks (`manage.py check`, `check --deploy`).

A portal on the internet must never sign its sessions and emailed links with the key written in
the repository: anyone could forge them. The key check runs on every start (runserver, migrate,
gunicorn through portal/wsgi.py), not only under --deploy, and stays silent on a laptop."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}


def served_publicly() -> bool:
    """Over HTTPS, or under any host name a laptop would not use."""
    return bool(settings.HTTPS) or any(
        host.strip().lower() not in LOCAL_HOSTS for host in settings.ALLOWED_HOSTS
    )


def secret_key_errors() -> list[Error]:
    if settings.SECRET_KEY != settings.PORTAL_LOCAL_SECRET_KEY or not served_publicly():
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY n'est pas défini : le portail refuse de servir en HTTPS ou hors "
            "de localhost avec la clé écrite dans le dépôt (sessions et liens falsifiables).",
            hint='Générez une clé : python3 -c "import secrets; '
            'print(secrets.token_urlsafe(64))" et mettez-la dans DJANGO_SECRET_KEY '
            "(docs/deployment.md).",
            id="portal.E001",
        )
    ]


@register(Tags.security)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return secret_key_errors()


@register(Tags.security, deploy=True)
def captcha_test_mode_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not settings.CAPTCHA_TEST_MODE:
        return []
    return [
        Error(
            "PORTAL_CAPTCHA_TEST_MODE est actif : le CAPTCHA accepte le mot PASSED.",
            hint="Retirez PORTAL_CAPTCHA_TEST_MODE de l'environnement de production.",
            id="portal.E002",
        )
    ]
