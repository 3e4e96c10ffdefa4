from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Choix de cours et confirmation d'inscription")

    def ready(self) -> None:
        # The home page's reminder and the demo's next term.
        from registration import demo, home  # noqa: F401
