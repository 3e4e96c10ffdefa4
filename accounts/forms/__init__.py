"""Forms validate only: they never write. Labels carry the seeds' French wording."""

from accounts.forms.first_use import (
    CodeForm,
    EmailForm,
    IdentityForm,
    LoginForm,
    QuestionsForm,
    SetPasswordForm,
    answer_is_trivial,
)

__all__ = [
    "CodeForm",
    "EmailForm",
    "IdentityForm",
    "LoginForm",
    "QuestionsForm",
    "SetPasswordForm",
    "answer_is_trivial",
]
