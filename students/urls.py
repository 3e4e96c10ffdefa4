from django.urls import path

from students.views import directory, pathway, personal, results, schedule

app_name = "students"

urlpatterns = [
    path("dossier/", personal.personal_file, name="personal_file"),
    path("horaire/", schedule.schedule, name="schedule"),
    path("horaire/<str:term>/", schedule.schedule, name="schedule_term"),
    path("horaire/<str:term>/imprimer/", schedule.schedule_print, name="schedule_print"),
    path("horaire/<str:term>/horaire.ics", schedule.schedule_ics, name="schedule_ics"),
    path("resultats/", results.marks, name="marks"),
    path("resultats/<str:term>/<str:course>/", results.course_marks, name="course_marks"),
    path("notes-finales/", results.final_grades, name="final_grades"),
    path("notes-finales/<str:term>/", results.final_grades, name="final_grades_term"),
    path("notes-finales/<str:term>/imprimer/", results.report_card_print, name="report_card_print"),
    path("cheminement/", pathway.pathway, name="pathway"),
    path("annuaire/", directory.directory, name="directory"),
]
