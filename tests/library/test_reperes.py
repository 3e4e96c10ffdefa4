"""Repères: opens the institution's career-information address, with a short description;
disabled (greyed in the menu, 404) while the address is empty."""

import html

from django.urls import reverse

REPERES = reverse("library:reperes")
HOME = reverse("portal:home")


def test_reperes_opens_the_institutions_address(bob_client, institution):
    institution.career_info_url = "https://reperes.example/college"
    institution.save()

    page = html.unescape(bob_client.get(REPERES).content.decode())

    assert 'href="https://reperes.example/college"' in page
    assert "Repères vous aide à explorer les choix de carrière" in page
    home = html.unescape(bob_client.get(HOME).content.decode())
    assert f'<a href="{REPERES}">Repères</a>' in home


def test_reperes_is_disabled_without_an_address(bob_client, institution):
    institution.career_info_url = ""
    institution.save()
    assert "reperes" in institution.enabled_modules

    assert bob_client.get(REPERES).status_code == 404
    home = html.unescape(bob_client.get(HOME).content.decode())
    assert f'href="{REPERES}"' not in home
    # Greyed with the other disabled services, under "Autres services".
    others = home.split('<details class="mt-3 module-others">')[1]
    assert 'Repères<br><span class="small module-state">Service présentement désactivé' in others


def test_thetford_preset_offers_reperes_and_the_library(load_preset):
    thetford = load_preset("thetford")
    assert thetford.career_info_url == "https://www.reperes.qc.ca/"
    assert thetford.module_enabled("reperes") and thetford.module_enabled("library")
    cstj = load_preset("cstj")
    assert cstj.career_info_url == "" and not cstj.module_enabled("reperes")


def test_staff_set_the_address_and_pickup_delay_on_the_institution(admin_client, institution):
    change = reverse("admin:portal_institution_change", args=[institution.pk])
    page = html.unescape(admin_client.get(change).content.decode())
    assert "Bibliothèque et Repères" in page
    assert 'name="career_info_url"' in page and 'name="library_pickup_days"' in page
