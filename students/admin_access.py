"""Staff opening a student's data in the admin writes "Qui a consulté mon dossier" entries
(Law 25). One mixin on each ModelAdmin whose change form or history shows a student's record,
account, marks, final grades, invoices or payments: the admin says which students an object
concerns (`access_students`) and what it is (`access_what`). Lists are not logged: they show
names and numbers, not the file."""

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from students.models import RecordAccess, Student
from students.services import record_access_log


class RecordAccessMixin:
    access_what: str = RecordAccess.What.RECORD

    def access_students(self, obj: Any) -> Iterable[Student]:
        student = getattr(obj, "student", None)
        return [student] if isinstance(student, Student) else []

    def access_item(self, obj: Any) -> str:
        return str(obj)

    def _access_record(
        self, request: HttpRequest, response: HttpResponse, key: str, history: bool
    ) -> None:
        if request.method != "GET" or response.status_code != 200:
            return
        obj = (getattr(response, "context_data", None) or {}).get(key)
        if obj is None:
            return
        record_access_log(
            request=request,
            students=self.access_students(obj),
            what=self.access_what,
            item=self.access_item(obj),
            history=history,
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        self._access_record(request, response, "original", history=False)
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)  # type: ignore[misc]
        self._access_record(request, response, "object", history=True)
        return response


class RecordAccessAdminBase(RecordAccessMixin, admin.ModelAdmin):
    """A ModelAdmin whose change form shows a student's data."""
