from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Centre de paiement")

    def ready(self) -> None:
        from billing import demo, home  # noqa: F401 - the demo's invoices, the balance panel
