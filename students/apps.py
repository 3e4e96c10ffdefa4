from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Dossiers étudiants")

    def ready(self) -> None:
        # Registers the home page's panels and the demo's term.
        from students import demo, home  # noqa: F401
        from students.search import fold_register

        # SQLite's side of the accent-blind name search (students.search).
        connection_created.connect(fold_register, dispatch_uid="students_fold")
