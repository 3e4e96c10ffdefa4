"""French first, English complete: every message of the catalogue is translated, and the
compiled catalogue the portal loads is the one the .po file describes."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def _unquote(lines: list[str]) -> str:
    return "".join(
        bytes(re.match(r'^"(.*)"$', line).group(1), "utf-8")
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
        for line in lines
    )


def po_entries() -> list[dict[str, object]]:
    """(msgid, msgid_plural, msgstrs, fuzzy) of every live entry of the .po file."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not lines:
            continue
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif current:
                fields[current].append(line)
        if "msgid" not in fields:
            continue
        entries.append(
            {
                "msgid": _unquote(fields["msgid"]),
                "context": _unquote(fields["msgctxt"]) if "msgctxt" in fields else None,
                "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
                "msgstr": [
                    _unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")
                ],
                "fuzzy": "#, fuzzy" in block or ", fuzzy" in block,
            }
        )
    return [entry for entry in entries if entry["msgid"]]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in po_entries():
        context = entry["context"]
        if entry["plural"]:
            translated = (
                catalogue.npgettext(context, entry["msgid"], entry["plural"], 1)
                if context
                else catalogue.ngettext(entry["msgid"], entry["plural"], 1)
            )
        elif context:
            translated = catalogue.pgettext(context, entry["msgid"])
        else:
            translated = catalogue.gettext(entry["msgid"])
        assert translated == entry["msgstr"][0], entry["msgid"]


def test_every_message_of_the_jinja2_pages_is_in_the_catalogue():
    """The Jinja2 pages' messages (jinja2/) are found by the project's makemessages, which
    reads them with Jinja2's extractor, and each has its English in the catalogue."""
    from portal.management.commands.makemessages import jinja_as_python

    known = {(e["context"], e["msgid"], e["plural"]) for e in po_entries()}
    calls = {
        "gettext": lambda m: (None, m, None),
        "ngettext": lambda s, p, n: (None, s, p),
        "pgettext": lambda c, m: (c, m, None),
        "npgettext": lambda c, s, p, n: (c, s, p),
    }
    found = []
    for path in sorted((Path(settings.BASE_DIR) / "jinja2").rglob("*.html")):
        code = jinja_as_python(path.read_text(encoding="utf-8"))
        # Parsed, not split on "; ": a French message may hold " ; " itself.
        for statement in ast.parse(code).body:
            call = compile(ast.Expression(statement.value), path.name, "eval")
            found.append((path.name, eval(call, {}, calls)))
    assert len(found) > 20
    assert [(name, message) for name, message in found if message not in known] == []


def test_the_jinja2_extractor_keeps_lines_plurals_and_contexts():
    from portal.management.commands.makemessages import jinja_as_python

    source = (
        '<h1>{{ _("Quoi de neuf ?") }}</h1>\n'
        "{% trans name=user.first_name %}Bienvenue, {{ name }}{% endtrans %}\n"
        "{% trans counter=n %}{{ counter }} message{% pluralize %}{{ counter }} messages"
        "{% endtrans %}\n"
        '{{ pgettext("lundi", "L") }}\n'
    )
    assert jinja_as_python(source).splitlines() == [
        'gettext("Quoi de neuf ?")',
        'gettext("Bienvenue, %(name)s")',
        'ngettext("%(counter)s message", "%(counter)s messages", 1)',
        'pgettext("lundi", "L")',
        "",
    ]
