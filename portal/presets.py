"""The five institutions the product comes from (DESIGN.md's table, ../shared/seeds/).

Each preset is plain data: the values `load_institution` writes on the Institution row and the
schools it makes sure exist. Staff change any of it in the admin afterwards.
"""

from typing import Any

from portal.modules import ALL_MODULE_SLUGS

PRODUCT_DEFAULT_POLICY: dict[str, Any] = {
    # NIST SP 800-63B: length, no composition rules; common and personal passwords refused.
    "password_min_length": 12,
    "password_max_length": 128,
    "password_min_letters": 0,
    "password_min_digits": 0,
    "password_min_uppercase": 0,
    "password_charset": "any",
    "password_trailing_digits": 0,
}

# What a preset leaves unsaid is reset to these, so that switching presets leaves nothing behind.
INSTITUTION_DEFAULTS: dict[str, Any] = {
    "parent_portal_enabled": False,
    "parent_access_until_age": 18,
    "diploma_credits": 0,
    "passing_grade": 60,
    "enrolment_confirmation_dates": "",
    "enrolment_late_fee": 0,
    "schedule_change_fee": 0,
    # Second factor: required for staff and employees, optional for students and parents.
    "second_factor_staff": "required",
    "second_factor_employees": "required",
    "second_factor_students": "optional",
    "second_factor_parents": "optional",
    # Bibliothèque and Repères: no career-information address means Repères stays disabled.
    "career_info_url": "",
    "library_pickup_days": 5,
}

PRESETS: dict[str, dict[str, Any]] = {
    "cstj": {
        "institution": {
            "name": "Cégep de Saint-Jérôme",
            "short_name": "Cégep de Saint-Jérôme",
            "address": "455, rue Fournier\nSaint-Jérôme (Québec) J7Z 4V2",
            "phone": "450 436-1580",
            "email": "registrariat@cstj.example",
            "identifier_name": "matricule",
            "identifier_length": 7,
            "first_use_proofs": "code_permanent",
            "captcha_enabled": True,
            "emailed_code_enabled": True,
            "first_use_collects_email": False,
            "secret_question_count": 3,
            **PRODUCT_DEFAULT_POLICY,
            "password_min_length": 10,
            "password_min_letters": 1,
            "password_min_digits": 1,
            "parent_portal_enabled": True,
            "password_min_uppercase": 1,
            "enabled_modules": ALL_MODULE_SLUGS,
            "enrolment_confirmation_dates": "09-20 02-15",
            "enrolment_late_fee": 25,
        },
        "schools": [
            {
                "code": "cstj",
                "name": "Cégep de Saint-Jérôme",
                "is_main": True,
                "email": "registrariat@cstj.example",
                "offers_store": True,
            },
            {"code": "mont-laurier", "name": "Centre collégial de Mont-Laurier"},
            {"code": "mont-tremblant", "name": "Centre collégial de Mont-Tremblant"},
        ],
    },
    "thetford": {
        "institution": {
            "name": "Cégep de Thetford",
            "short_name": "Cégep de Thetford",
            "address": "671, boulevard Frontenac Ouest\nThetford Mines (Québec) G6G 1N1",
            "phone": "418 338-8591",
            "email": "organisation.scolaire@thetford.example",
            "identifier_name": "dossier",
            "identifier_length": 7,
            "first_use_proofs": "code_permanent",
            "captcha_enabled": False,
            "emailed_code_enabled": False,
            "first_use_collects_email": False,
            "secret_question_count": 3,
            **PRODUCT_DEFAULT_POLICY,
            # "5 à 12 caractères, chiffres et lettres non accentuées, se termine par 4 chiffres"
            "password_min_length": 5,
            "password_max_length": 12,
            "password_charset": "ascii_alnum",
            "password_trailing_digits": 4,
            "enabled_modules": ALL_MODULE_SLUGS,
            # Seed 001: "Repères : Obtenez de l'information sur les choix de carrière".
            "career_info_url": "https://www.reperes.qc.ca/",
            # Seed 001: "Le 20 septembre et le 15 février … des frais de retard de 25 $"
            "enrolment_confirmation_dates": "09-20 02-15",
            "enrolment_late_fee": 25,
            # Seed 001: "des frais (15 $) vous seront facturés pour chaque modification
            # d'horaire confirmée".
            "schedule_change_fee": 15,
        },
        "schools": [{"code": "thetford", "name": "Cégep de Thetford", "is_main": True}],
    },
    "conservatoire": {
        "institution": {
            "name": "Conservatoire de musique et d'art dramatique du Québec",
            "short_name": "Conservatoire",
            "address": "225, Grande Allée Est, bloc C, 3e étage\nQuébec (Québec) G1R 5G5",
            "phone": "418 380-2327",
            "email": "support@conservatoire.example",
            "identifier_name": "student_number",
            "identifier_length": 9,
            "first_use_proofs": "code_permanent",
            "captcha_enabled": False,
            "emailed_code_enabled": False,
            "first_use_collects_email": False,
            "secret_question_count": 3,
            **PRODUCT_DEFAULT_POLICY,
            "enabled_modules": [
                "home",
                "mio",
                "payments",
                "documents",
                "personal_file",
                "pathway",
                "profile",
            ],
        },
        "schools": [
            {
                "code": "montreal",
                "name": "Conservatoire de musique de Montréal",
                "is_main": True,
                "address": "4750, avenue Henri-Julien\nMontréal (Québec) H2T 2C8",
            },
            {"code": "quebec", "name": "Conservatoire de musique de Québec"},
            {"code": "rimouski", "name": "Conservatoire de musique de Rimouski"},
            {
                "code": "art-dramatique-montreal",
                "name": "Conservatoire d'art dramatique de Montréal",
            },
        ],
    },
    "caomsc": {
        "institution": {
            "name": "CAOMSC",
            "short_name": "CAOMSC",
            "address": "",
            "phone": "",
            "email": "secretariat@caomsc.example",
            "identifier_name": "matricule",
            "identifier_length": 5,
            "first_use_proofs": "member_identity",
            "captcha_enabled": True,
            "emailed_code_enabled": False,
            "first_use_collects_email": True,
            "secret_question_count": 0,
            **PRODUCT_DEFAULT_POLICY,
            # "entre 8 et 12 caractères, contenant au minimum 3 lettres et 3 chiffres"
            "password_min_length": 8,
            "password_max_length": 12,
            "password_min_letters": 3,
            "password_min_digits": 3,
            "enabled_modules": ["home", "personal_file", "payments", "profile"],
        },
        "schools": [{"code": "caomsc", "name": "CAOMSC", "is_main": True}],
    },
    "cepeo": {
        "institution": {
            "name": "Conseil des écoles publiques de l'Est de l'Ontario",
            "short_name": "CEPEO",
            "address": "2445, boulevard Saint-Laurent\nOttawa (Ontario) K1G 6C3",
            "phone": "613 742-8960",
            "email": "portail.parents@cepeo.example",
            "identifier_name": "student_number",
            "identifier_length": 9,
            "first_use_proofs": "member_identity",
            "captcha_enabled": False,
            "emailed_code_enabled": False,
            "first_use_collects_email": False,
            "secret_question_count": 1,
            **PRODUCT_DEFAULT_POLICY,
            "enabled_modules": ["home", "schedule", "payments", "profile"],
            "parent_portal_enabled": True,
            "diploma_credits": 30,
            "passing_grade": 50,
        },
        "schools": [
            {
                "code": "carrefour-jeunesse",
                "name": "Carrefour Jeunesse",
                "is_main": True,
                "email": "carrefour.jeunesse@cepeo.example",
                "offers_store": True,
            },
            {
                "code": "de-la-salle",
                "name": "École secondaire publique De La Salle",
                "email": "de.la.salle@cepeo.example",
                "offers_store": True,
            },
            {
                "code": "gisele-lalonde",
                "name": "École secondaire publique Gisèle-Lalonde",
                "email": "gisele.lalonde@cepeo.example",
            },
        ],
    },
}

PRESET_NAMES = tuple(PRESETS)
