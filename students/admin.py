from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from portal.admin_a11y import TabularInline, ValuesFilter
from portal.csv_export import csv_response
from students.admin_access import RecordAccessMixin
from students.admin_filters import ScheduleRetrievedFilter
from students.admin_imports import ImportableAdmin
from students.admin_search import StudentSearchMixin, search_words, student_match
from students.admin_widgets import MarkInline
from students.models import (
    Course,
    Employee,
    Enrolment,
    Evaluation,
    Meeting,
    Program,
    RecordAccess,
    Section,
    Student,
    Term,
)


class ActivatedFilter(admin.SimpleListFilter):
    title = _("compte activé")
    parameter_name = "activated"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Oui")), ("no", _("Non"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(user__activated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__activated_at__isnull=True)
        return queryset


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Student)
class StudentAdmin(RecordAccessMixin, ImportableAdmin):
    list_display = [
        "matricule",
        "last_name",
        "first_name",
        # Before the long names of programs and schools: seen without scrolling at 1280 px.
        "activated",
        "program_code",
        "school_name",
        "grade",
    ]
    list_filter = [
        ActivatedFilter,
        ScheduleRetrievedFilter,
        "school",
        "program",
        ("grade", ValuesFilter),
    ]
    # A prefix of the matricule or code permanent, a part of a name (accents ignored) or email:
    # all indexed on PostgreSQL (migrations 0008_search_indexes, 0010_unaccent_search); the
    # search itself is get_search_results.
    search_fields = ["^matricule", "last_name", "first_name", "^code_permanent", "email"]
    list_select_related = ["program", "school", "user"]
    show_full_result_count = False  # "n résultats (N au total)" would count every student
    readonly_fields = ["user", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "matricule",
                    "code_permanent",
                    "last_name",
                    "first_name",
                    "birthdate",
                    "sex",
                ]
            },
        ),
        (_("Coordonnées"), {"fields": ["email", "phone", "phone_alt", "address", "postal_code"]}),
        (_("Études"), {"fields": ["program", "school", "grade"]}),
        (_("Compte"), {"fields": ["user", "created_at", "updated_at"]}),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Each word: a prefix of the matricule or code permanent, a part of a name without
        regard to accents ("belanger" finds Bélanger), or a part of the email (the same search
        answers the other lists' student autocompletes)."""
        for word in search_words(search_term):
            # The students' ids first, in a query of their own (PostgreSQL finds them through the
            # indexes, a BitmapOr), then the page among them. Filtered in place (or through a
            # subquery), it walked the list's order index testing every student's folded names
            # until it had 100: 359 ms at 50,000 students (546 ms with a subquery).
            matches = Student.objects.filter(
                student_match(word) | Q(code_permanent__istartswith=word) | Q(email__icontains=word)
            )
            queryset = queryset.filter(pk__in=list(matches.order_by().values_list("pk", flat=True)))
        return queryset, False

    def access_students(self, obj: Student) -> list[Student]:
        return [obj]

    def access_item(self, obj: Student) -> str:
        return ""

    @admin.display(boolean=True, description=_("compte activé"))
    def activated(self, student: Student) -> bool:
        return bool(student.user and student.user.activated_at)

    @admin.display(description=_("programme"), ordering="program__code")
    def program_code(self, student: Student) -> str:
        return student.program.code if student.program else "—"

    # Not the foreign key itself, which Django never wraps: a long school name takes two lines.
    @admin.display(description=_("école"), ordering="school__name")
    def school_name(self, student: Student) -> str:
        return student.school.name if student.school else "—"


@admin.register(Employee)
class EmployeeAdmin(ImportableAdmin):
    list_display = [
        "employee_number",
        "last_name",
        "first_name",
        "department",
        "email",
        "activated",
    ]
    list_filter = ["department", "school"]
    search_fields = ["employee_number", "last_name", "first_name", "email"]
    list_select_related = ["user"]
    readonly_fields = ["user"]

    @admin.display(boolean=True, description=_("compte activé"))
    def activated(self, employee: Employee) -> bool:
        return bool(employee.user and employee.user.activated_at)


# --- Courses, terms and results --------------------------------------------------------------


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["code", "starts_on", "ends_on"]
    search_fields = ["code"]


@admin.register(Course)
class CourseAdmin(ImportableAdmin):
    list_display = ["code", "title", "credits", "program", "program_term"]
    list_filter = ["program", "program_term"]
    search_fields = ["code", "title"]


class MeetingInline(TabularInline):
    model = Meeting
    extra = 0


class EvaluationInline(TabularInline):
    model = Evaluation
    extra = 0
    fields = ["title", "weight", "date", "class_average"]


@admin.register(Section)
class SectionAdmin(ImportableAdmin):
    """A group of a course in a term: its meetings, its evaluations, and the group indicators
    (IDGZ, IFGZ) that the Cote R needs."""

    list_display = ["course", "term", "group", "teacher", "capacity", "idgz", "ifgz"]
    list_filter = ["term"]
    search_fields = ["course__code", "course__title", "group", "teacher__last_name"]
    list_select_related = ["course", "term", "teacher"]
    autocomplete_fields = ["course", "teacher"]
    inlines = [MeetingInline, EvaluationInline]


@admin.register(Enrolment)
class EnrolmentAdmin(StudentSearchMixin, RecordAccessMixin, ImportableAdmin):
    access_what = RecordAccess.What.FINAL_GRADES

    def access_item(self, obj: Enrolment) -> str:
        return str(obj.section)

    list_display = ["student", "section", "final_grade", "absences", "lateness"]
    list_filter = ["section__term"]
    # A student (see StudentSearchMixin) or the start of a course code.
    search_fields = ["^student__matricule", "student__last_name", "^section__course__code"]
    list_select_related = ["student", "section__course", "section__term"]
    autocomplete_fields = ["student", "section"]
    show_full_result_count = False

    def own_search(self, word: str) -> Q:
        sections = Section.objects.filter(course__code__istartswith=word)
        return Q(section_id__in=list(sections.values_list("pk", flat=True)))


@admin.register(Evaluation)
class EvaluationAdmin(RecordAccessMixin, ImportableAdmin):
    """An evaluation's form lists every student's mark: each of them gets an entry."""

    access_what = RecordAccess.What.MARKS

    def access_students(self, obj: Evaluation) -> QuerySet[Student]:
        return Student.objects.filter(marks__evaluation=obj).only("pk", "user_id")

    list_display = ["title", "section", "weight", "date", "class_average"]
    list_filter = ["section__term"]
    search_fields = ["title", "section__course__code"]
    list_select_related = ["section__course", "section__term"]
    autocomplete_fields = ["section"]
    inlines = [MarkInline]
    show_full_result_count = False


# --- Qui a consulté mon dossier -------------------------------------------------------------


@admin.action(description=_("Exporter en CSV (demande d'accès, Loi 25)"), permissions=["view"])
def export_accesses_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[RecordAccess]
) -> HttpResponse:
    """The selected entries, for a person's access request: search the student's matricule,
    select all, export."""
    entries = queryset.select_related("student").order_by("student__matricule", "-created_at")
    matricules = {entry.student.matricule for entry in entries}
    name = f"consultations-{matricules.pop()}.csv" if len(matricules) == 1 else "consultations.csv"
    return csv_response(
        filename=name,
        header=[
            "matricule",
            "last_name",
            "first_name",
            "date_utc",
            "staff_name",
            "staff_role",
            "what",
            "item",
            "history",
            "ip_address",
        ],
        rows=(
            [
                entry.student.matricule,
                entry.student.last_name,
                entry.student.first_name,
                entry.created_at.isoformat(timespec="seconds"),
                entry.staff_name,
                entry.staff_role,
                entry.get_what_display(),
                entry.item,
                "oui" if entry.history else "non",
                entry.ip_address or "",
            ]
            for entry in entries
        ),
    )


@admin.register(RecordAccess)
class RecordAccessAdmin(admin.ModelAdmin):
    """Read-only: the entries are evidence, written by the admin itself."""

    list_display = ["created_at", "student", "staff_name", "staff_role", "what", "item", "history"]
    list_filter = ["what", "history"]
    search_fields = ["student__matricule", "student__last_name", "staff_name"]
    list_select_related = ["student"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    actions = [export_accesses_csv]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
