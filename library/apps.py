from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Bibliothèque")

    def ready(self) -> None:
        from library import demo  # noqa: F401 - the demo's catalogue, loans and holds
