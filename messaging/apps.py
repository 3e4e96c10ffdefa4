from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("MIO, documents et actualités")

    def ready(self) -> None:
        from messaging import demo, home  # noqa: F401 - the demo's data and the home panels
