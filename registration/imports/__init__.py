"""Course choice's import kinds (found by `students.imports.importers()`): `choice_windows`
(registration.imports.windows) and `elective_lists` (registration.imports.electives)."""

from registration.imports import electives, windows  # noqa: F401 - registers the kinds
