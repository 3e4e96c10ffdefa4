from django.urls import path

from accounts.models import User
from accounts.views import (
    admin_login,
    devices,
    first_use,
    login,
    passkeys,
    profile,
    recovery,
    second_factor,
)

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
    # The admin's login, ahead of the admin's own (accounts.urls is included first).
    path("admin/login/", admin_login.admin_login, name="admin_login"),
    # The step after the password, and the required enrolment
    path("connexion/verification/", second_factor.second_factor_step, name="second_factor"),
    path("connexion/annuler/", second_factor.login_stage_cancel, name="login_stage_cancel"),
    path(
        "connexion/cle-d-acces/options/",
        passkeys.login_options,
        name="passkey_login_options",
    ),
    path("connexion/cle-d-acces/", passkeys.login_verify, name="passkey_login_verify"),
    # "Ce n'était pas vous ?"
    path("securite/pas-moi/<str:token>/", devices.not_me, name="not_me"),
    path("securite/pas-moi/", devices.not_me_confirm, name="not_me_confirm"),
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
    path(
        "profil/double-authentification/",
        second_factor.second_factor_setup,
        name="second_factor_setup",
    ),
    path(
        "profil/double-authentification/codes/",
        second_factor.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "profil/double-authentification/codes/renouveler/",
        second_factor.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path(
        "profil/double-authentification/desactiver/",
        second_factor.second_factor_disable,
        name="second_factor_disable",
    ),
    path("profil/cles-d-acces/", passkeys.passkey_add, name="passkey_add"),
    path(
        "profil/cles-d-acces/options/",
        passkeys.register_options,
        name="passkey_register_options",
    ),
    path(
        "profil/cles-d-acces/<int:passkey_id>/retirer/",
        passkeys.passkey_remove,
        name="passkey_remove",
    ),
]
