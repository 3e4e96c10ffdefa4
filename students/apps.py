from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Dossiers étudiants")

    def ready(self) -> None:
        # Registers the home page's panels and the demo's term.
        from students import demo, home  # noqa: F401
