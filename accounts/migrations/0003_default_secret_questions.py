from django.db import migrations

# A first list; staff add, reword or retire questions in the admin.
QUESTIONS = [
    ("Quel est le nom de votre premier animal de compagnie ?", "What was the name of your first pet?"),
    ("Dans quelle ville vos parents se sont-ils rencontrés ?", "In what city did your parents meet?"),
    ("Quel est le prénom de votre meilleur ami d'enfance ?", "What is the first name of your childhood best friend?"),
    ("Quel est le nom de votre école primaire ?", "What was the name of your elementary school?"),
    ("Quel est le nom de votre personnage fictif préféré ?", "Who is your favourite fictional character?"),
    ("Quel était votre surnom d'enfance ?", "What was your childhood nickname?"),
    ("Quel est le nom de la rue où vous avez grandi ?", "What is the name of the street where you grew up?"),
    ("Quel était le modèle de votre première voiture ou de votre premier vélo ?", "What was the model of your first car or bicycle?"),
    ("Quel est le deuxième prénom de votre parent le plus âgé ?", "What is your oldest parent's middle name?"),
    ("Quel métier rêviez-vous d'exercer enfant ?", "What job did you dream of as a child?"),
]


def add_questions(apps, schema_editor):
    SecretQuestion = apps.get_model("accounts", "SecretQuestion")
    for position, (text, text_en) in enumerate(QUESTIONS):
        SecretQuestion.objects.get_or_create(text=text, defaults={"text_en": text_en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(add_questions, migrations.RunPython.noop)]
