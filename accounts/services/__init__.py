"""Writes of the accounts app, by topic. Each is atomic where it spans rows, and audited."""
