"""Webhook signatures per the Standard Webhooks spec (the `standardwebhooks` package).

Each watch list has its own secret (`whsec_` + base64 of 32 random bytes), kept
encrypted at rest (vms/encryption.py) and shown to its operator once, when it
is made. A delivery carries `webhook-id` (the same for every attempt of one
alert: the receiver's idempotency key), `webhook-timestamp` (Unix seconds) and
`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
"""

import base64
import secrets

from vms import encryption, outbound


def new_secret():
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def seal(secret):
    return encryption.encrypt(secret)


def unseal(sealed):
    """The plain secret; ValueError when it cannot be decrypted (the encryption key changed)."""
    return encryption.decrypt(sealed)


def signed_headers(*, secret, message_id, body, at=None):
    return outbound.standard_webhook_headers(secret=secret, message_id=message_id, body=body, at=at)
