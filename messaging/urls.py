from django.urls import path

from messaging import documents_views, views

app_name = "messaging"

urlpatterns = [
    path("mio/", views.inbox, name="inbox"),
    path("mio/envoyes/", views.sent, name="sent"),
    path("mio/ecrire/", views.compose, name="compose"),
    path("mio/<id:pk>/", views.message_detail, name="message"),
    path("mio/<id:pk>/repondre/", views.reply, name="reply"),
    path("mio/pieces/<id:pk>/", views.attachment, name="attachment"),
    path("documents/", documents_views.documents, name="documents"),
    path("documents/<id:pk>/", documents_views.document_file, name="document"),
    path("calendrier/", documents_views.calendar, name="calendar"),
]
