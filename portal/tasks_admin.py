"""The "Résultats de tâches" admin (django-tasks-db's) in the registrar's language.

django-tasks-db names its fields and models with English gettext msgids ("status", "Task
Result"): their French is in the project's `locale/fr` catalogue (our own catalogue,
`locale/en`, goes the other way: French msgids, English msgstr). What the package writes as
plain strings (its app's name, two column headers, the `id` and `task_name` columns) cannot
be translated: TasksDatabaseConfig names the app, and this ModelAdmin, registered in its
place, names the columns."""

import uuid

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )
    list_display_links = ("task_id",)

    @admin.display(description=_("identifiant"), ordering="id")
    def task_id(self, obj: DBTaskResult) -> uuid.UUID:
        return obj.id

    @admin.display(description=_("tâche"), ordering="task_path")
    def task_label(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("trace d'appels"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("exécuter après"))
    def display_run_after(self, obj: DBTaskResult) -> object:
        return super().display_run_after(obj)


def register() -> None:
    """In place of the package's own registration (made by the admin's autodiscover, which
    runs before this app is ready)."""
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
