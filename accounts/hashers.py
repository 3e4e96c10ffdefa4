from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum: t=2, 19 MiB, p=1 (about 24 ms a hash on a 2-core box).

    Django's defaults (t=2, 100 MiB, p=8) cost four times as much memory per login for little
    gain against an offline attack at our password lengths; see
    docs/decisions/0002-argon2-parameters.md. Hashes made with other parameters still verify
    and are upgraded at the next login.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
