"""``manage.py push_keys``: print a new VAPID key pair for Web Push (issue 19 C)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def vapid_keys() -> tuple[str, str]:
    """A new P-256 key pair as (public, private): base64url of the 65-byte uncompressed public
    point (the browser's ``applicationServerKey``) and of the raw 32-byte private value."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(public), _b64url(private)


class Command(BaseCommand):
    help = "Print a new VAPID key pair as environment variables (Web Push)."

    def handle(self, *args, **options) -> None:
        public, private = vapid_keys()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n")
        self.stderr.write(
            "Set both in the environment of the web and worker processes (and VAPID_SUBJECT, "
            "a mailto: or https: contact). Changing them makes every browser subscribe again."
        )
