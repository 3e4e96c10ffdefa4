"""French typography (docs/ui.md): a no-break space inside « » and before : ; ? ! in every
French text; scripts/french-typography rewrites the tree, and its --check fails here on any
text that breaks the convention (a helper's merge, a new template)."""

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "french-typography"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def typography():
    loader = importlib.machinery.SourceFileLoader("french_typography", str(SCRIPT))
    spec = importlib.util.spec_from_loader("french_typography", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_tree_follows_the_convention():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Mot de passe oublié ?", f"Mot de passe oublié{NBSP}?"),
        ("Mot de passe oublié?", f"Mot de passe oublié{NBSP}?"),
        ("Quoi de neuf ?", f"Quoi de neuf{NBSP}?"),
        ("À bientôt !", f"À bientôt{NBSP}!"),
        ("Note : ceci ; cela", f"Note{NBSP}: ceci{NBSP}; cela"),
        (
            "le document « Électricité » est prêté",
            f"le document «{NBSP}Électricité{NBSP}» est prêté",
        ),
        ("«Électricité»", f"«{NBSP}Électricité{NBSP}»"),
        ("Vraiment ?!", f"Vraiment{NBSP}?!"),
        ("Ligne 3 : « %(value)s ».", f"Ligne 3{NBSP}: «{NBSP}%(value)s{NBSP}»."),
        # Never touched: times, URLs, query strings, a narrow space becomes the one convention.
        ("de 10:15 à 11:45", "de 10:15 à 11:45"),
        ("https://example.org/?q=1", "https://example.org/?q=1"),
        ("Note\u202f:", f"Note{NBSP}:"),
    ],
)
def test_the_rules(typography, before, after):
    assert typography.typeset_msgid(before) == after
    assert typography.typeset_msgid(after) == after  # idempotent


def test_templates_keep_tags_urls_and_attributes(typography):
    source = (
        '{% load i18n %}<a href="/x?a=1" title="Un : deux">{% translate "Oublié ?" %}</a> '
        '{{ when|date:"H:i" }} : <strong>{% translate "Solde" %}</strong> :\n'
        '<style>a:hover { color: red; }</style><script type="application/json">{"a": 1}</script>'
        "&eacute; ; {% blocktranslate %}Le {{ date }} ?{% endblocktranslate %}"
    )
    result = typography.rewrite_template(source)
    assert f'{{% translate "Oublié{NBSP}?" %}}' in result
    assert 'title="Un : deux"' in result  # raw attributes are left alone
    assert '{{ when|date:"H:i" }}' + NBSP + ":" in result
    assert "</strong>" + NBSP + ":" in result
    assert "<style>a:hover { color: red; }</style>" in result
    assert '{"a": 1}' in result
    assert "&eacute;" + NBSP + ";" in result
    assert "{{ date }}" + NBSP + "?" in result
    assert typography.rewrite_template(result) == result


def test_python_msgids_and_the_catalogue_move_together(typography):
    renamed: dict[str, str] = {}
    source = (
        'x = _("Fichier refusé : %(n)s")\n'
        'y = ngettext("%(n)d erreur ;", "%(n)d erreurs ;", n)\n'
        'z = "Note : pas une msgid"\n'
        'w = pgettext("a : context", "Session ?")\n'
    )
    result = typography.rewrite_python(source, renamed)
    assert f'_("Fichier refusé{NBSP}: %(n)s")' in result
    assert f'"%(n)d erreurs{NBSP};"' in result
    assert 'z = "Note : pas une msgid"' in result  # not a gettext call
    assert '"a : context"' in result and f'"Session{NBSP}?"' in result
    assert renamed["Fichier refusé : %(n)s"] == f"Fichier refusé{NBSP}: %(n)s"

    po = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "Mot de passe oublié ?"\nmsgstr "Forgot your password?"\n\n'
        f'msgid "Mot de passe oublié{NBSP}?"\nmsgstr "Forgot your password?"\n\n'
        'msgid ""\n"Fichier refusé : "\n"%(n)s"\nmsgstr "File refused: %(n)s"\n'
    )
    rewritten = typography.rewrite_po(po)
    assert rewritten.count("Forgot your password?") == 1  # the duplicate is dropped
    assert f'msgid "Mot de passe oublié{NBSP}?"' in rewritten
    assert f'msgid "Fichier refusé{NBSP}: %(n)s"\nmsgstr "File refused: %(n)s"' in rewritten
    assert typography.rewrite_po(rewritten) == rewritten


def test_a_migration_follows_its_model(typography):
    renamed = {"Ex. : AUT-2026": f"Ex.{NBSP}: AUT-2026"}
    source = "f = models.CharField(help_text='Ex. : AUT-2026', sql='SELECT 1 WHERE a = ?')\n"
    result = typography.rewrite_migration(source, renamed)
    assert f'help_text="Ex.{NBSP}: AUT-2026"' in result
    assert "'SELECT 1 WHERE a = ?'" in result
