"""Set the peer's bench database up: migrate, a staff superuser `bench` (the ticket API
is for staff: IsAdminUser), one queue, and a DRF token for the user. Prints one JSON line:
{"token": ..., "queue": <queue id>}. Run with the venv's python:
``python -m peer_site.prepare`` (DJANGO_SETTINGS_MODULE=peer_site.settings)."""

import json
import os
import secrets

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from helpdesk.models import Queue
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_superuser(
        username="bench", email="bench@example.com", password=secrets.token_urlsafe(24)
    )
    queue = Queue.objects.create(
        title="Property complaints",
        slug="complaints",
        allow_public_submission=False,
        email_address="complaints@example.com",
    )
    token = Token.objects.create(user=user)
    print(json.dumps({"token": token.key, "queue": queue.id}))


if __name__ == "__main__":
    main()
