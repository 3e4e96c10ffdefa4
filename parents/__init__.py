"""Guardians on file, parent accounts and the school store (issue 5). Not installed until built."""
