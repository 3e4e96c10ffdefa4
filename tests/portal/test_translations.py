"""French first, English complete: every message of the catalogue is translated, and the
compiled catalogue the portal loads is the one the .po file describes."""

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
