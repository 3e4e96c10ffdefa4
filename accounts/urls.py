from django.urls import path

from accounts.models import User
from accounts.views import first_use, login, profile, recovery

app_name = "accounts"

urlpatterns = [
    path("", login.login_view, name="login"),
    path(
        "connexion/employe/",
        login.login_view,
        {"audience": User.Audience.EMPLOYEE},
        name="login_employee",
    ),
    path("quitter/", login.logout_view, name="logout"),
    path("session/", login.session_ping, name="session_ping"),
    # First use (students and members)
    path("premiere-utilisation/", first_use.first_use_identity, name="first_use"),
    path("premiere-utilisation/code/", first_use.first_use_code, name="first_use_code"),
    path(
        "premiere-utilisation/questions/",
        first_use.first_use_questions,
        name="first_use_questions",
    ),
    path("premiere-utilisation/courriel/", first_use.first_use_email, name="first_use_email"),
    path(
        "premiere-utilisation/mot-de-passe/",
        first_use.first_use_password,
        name="first_use_password",
    ),
    # Forgotten passwords
    path("oublie/", recovery.recovery_start, name="recovery"),
    path("oublie/questions/", recovery.recovery_questions, name="recovery_questions"),
    path("membres/oublie/", recovery.member_recovery, name="member_recovery"),
    path("employes/premiere-utilisation/", recovery.employee_first_use, name="employee_first_use"),
    path("employes/oublie/", recovery.employee_recovery, name="employee_recovery"),
    path("reinitialiser/<uidb64>/<token>/", recovery.reset, name="reset"),
    path("activer/<uidb64>/<token>/", recovery.activate, name="activate"),
    path("reinitialiser/termine/", recovery.reset_done, name="reset_done"),
    # Profil personnel
    path("profil/", profile.profile, name="profile"),
    path("profil/mot-de-passe/", profile.password_change, name="password_change"),
    path("profil/questions/", profile.questions_change, name="questions_change"),
    path("profil/courriel/", profile.email_change, name="email_change"),
    path("profil/courriel/confirmer/<str:token>/", profile.email_confirm, name="email_confirm"),
    path("profil/courriel/confirme/", profile.email_confirmed, name="email_confirmed"),
    path("profil/sessions/fermer/", profile.sessions_end_others, name="sessions_end_others"),
]
