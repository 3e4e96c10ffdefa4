from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")

    def ready(self) -> None:
        from django.urls import register_converter

        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.converters import IdConverter

        register_converter(IdConverter, "id")
