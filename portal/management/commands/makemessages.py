"""Django's `makemessages`, which also finds the messages of the Jinja2 templates (jinja2/).

Django reads a template's messages by turning it into Python for xgettext (`templatize`),
which knows only Django's tags. A template under a `jinja2` folder is read with Jinja2's own
extractor instead (`_()`, `gettext()`, `ngettext()`, `pgettext()`, `npgettext()` and
`{% trans %}` blocks, portal/jinja2.py), each message written on its own line as a call
xgettext reads, so the catalogue's references keep the template's line numbers.
"""

import io
import os
from typing import Any

from django.core.management.commands import makemessages
from jinja2.ext import GETTEXT_FUNCTIONS, babel_extract

JINJA_FOLDER = "jinja2"


def _quoted(text: str) -> str:
    """A Python string literal of `text` with its characters as they are (xgettext reads
    an escaped "\\xa0" as a byte, not as the no-break space of French typography)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def jinja_as_python(source: str) -> str:
    """The template's messages as Python calls xgettext understands, one per source line."""
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
    lines: dict[int, list[str]] = {}
    found = babel_extract(io.BytesIO(source.encode()), GETTEXT_FUNCTIONS, [], options)
    for lineno, function, message, _comments in found:
        strings = message if isinstance(message, tuple) else (message,)
        args = [_quoted(arg) for arg in strings if arg is not None]  # None: not a literal
        if len(args) < {"ngettext": 2, "pgettext": 2, "npgettext": 3}.get(function, 1):
            continue
        if function in ("_", "gettext"):
            call = f"gettext({args[0]})"
        elif function == "ngettext":
            call = f"ngettext({args[0]}, {args[1]}, 1)"
        elif function == "pgettext":
            call = f"pgettext({args[0]}, {args[1]})"
        else:  # npgettext
            call = f"npgettext({args[0]}, {args[1]}, {args[2]}, 1)"
        lines.setdefault(lineno, []).append(call)
    count = source.count("\n") + 1
    return "\n".join("; ".join(lines.get(n, [])) for n in range(1, count + 1)) + "\n"


class JinjaAwareBuildFile(makemessages.BuildFile):
    def preprocess(self) -> None:
        if self.is_templatized and JINJA_FOLDER in self.path.split(os.sep):
            with open(self.path, encoding="utf-8") as source:
                content = jinja_as_python(source.read())
            with open(self.work_path, "w", encoding="utf-8") as work:
                work.write(content)
            return
        super().preprocess()


class Command(makemessages.Command):
    build_file_class = JinjaAwareBuildFile

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
