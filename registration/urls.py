from django.urls import path

from registration import change_views, views

app_name = "registration"

urlpatterns = [
    path("choix-de-cours/", views.choice, name="choice"),
    path("choix-de-cours/confirmation/", views.choice_done, name="choice_done"),
    path("choix-de-cours/imprimer/", views.choice_print, name="choice_print"),
    path("confirmation-inscription/", views.confirmation, name="confirmation"),
    path("modification-horaire/", change_views.schedule_change, name="schedule_change"),
    path(
        "modification-horaire/confirmer/",
        change_views.schedule_change_confirm_view,
        name="schedule_change_confirm",
    ),
    path(
        "modification-horaire/<int:pk>/",
        change_views.schedule_change_done,
        name="schedule_change_done",
    ),
]
