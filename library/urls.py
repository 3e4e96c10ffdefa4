from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("bibliotheque/", views.search, name="search"),
    path("bibliotheque/notice/<id:pk>/", views.record_detail, name="record"),
    path("bibliotheque/notice/<id:pk>/mettre-de-cote/", views.hold_create, name="hold_place"),
    path("bibliotheque/mises-de-cote/", views.holds, name="holds"),
    path("bibliotheque/mises-de-cote/<id:pk>/annuler/", views.hold_delete, name="hold_cancel"),
    path("bibliotheque/prets/", views.loans, name="loans"),
    path("bibliotheque/prets/renouveler/", views.loan_renew_all, name="renew_all"),
    path("bibliotheque/prets/<id:pk>/renouveler/", views.loan_renew_one, name="renew"),
    path("reperes/", views.reperes, name="reperes"),
]
