"""Encryption of secrets at rest (camera passwords), with a key from settings."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet():
    key = settings.FIELD_ENCRYPTION_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(("vms-field-encryption:" + settings.SECRET_KEY).encode()).digest()
    )
    return Fernet(key)


def encrypt(plaintext):
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: FIELD_ENCRYPTION_KEY changed since this secret was stored") from None
