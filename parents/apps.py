from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParentsConfig(AppConfig):
    name = "parents"
    verbose_name = _("Portail des parents")

    def ready(self) -> None:
        from billing.selectors import payer_reach_register
        from parents import demo  # noqa: F401 - demo parents
        from parents.selectors import visible_guardianships

        # A parent's payments and receipts are theirs only while the child is theirs to see.
        payer_reach_register(
            lambda user, institution: visible_guardianships(user, institution).values("student_id")
        )
