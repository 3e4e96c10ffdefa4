"""Views of the accounts app, by topic."""
