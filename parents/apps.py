from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParentsConfig(AppConfig):
    name = "parents"
    verbose_name = _("Portail des parents")

    def ready(self) -> None:
        from parents import demo, import_kinds  # noqa: F401 - demo parents, guardians import
