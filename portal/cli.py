"""`portail`: Django's `manage.py` for an installed portal (`pip install .` puts it in the
environment's bin/), e.g. `portail migrate`, `portail db_worker`, `portail createsuperuser`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
