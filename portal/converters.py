"""URL converters. Database ids in URLs are at most 18 digits: every such number fits the
64-bit integers of PostgreSQL and SQLite, so a 20-digit id is a plain 404 instead of an
overflow error (a 500 on SQLite)."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
