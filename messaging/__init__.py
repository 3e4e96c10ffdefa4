"""MIO (internal messaging), documents addressed to students, news and the events calendar.

Its own app on top of students and accounts: sending to a course section needs the registrar's
records, which the portal's core must not import (docs/decisions/0007-messaging-app.md)."""
