"""django-tasks-db's app under the portal's name for it (INSTALLED_APPS lists this config in
place of the package's own; a module of its own, since an apps.py with two configs has no
default one)."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db under a name the registrar reads in French ("Tâches en arrière-plan"),
    with its admin's columns named too (portal.tasks_admin)."""

    verbose_name = _("Tâches en arrière-plan")

    def ready(self) -> None:
        super().ready()
        from portal import tasks_admin

        tasks_admin.register()
