from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.collation import register_sqlite_collation
        from portal.converters import IdConverter

        register_converter(IdConverter, "id")
        # Names sort the French way on SQLite too (portal.collation).
        connection_created.connect(register_sqlite_collation, dispatch_uid="portal_fr_collation")
