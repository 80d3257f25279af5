"""A Google service-account file for the loopback Vertex fake: a fresh RSA key, and a ``token_uri`` on loopback.

google-auth signs a JWT with the file's private key and posts it to ``token_uri`` for an access token
(https://developers.google.com/identity/protocols/oauth2/service-account#httprest); pointing ``token_uri``
at the fake keeps every test off Google's network. The key is made per process and never leaves it.
"""

from __future__ import annotations

import functools
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@functools.lru_cache(maxsize=1)
def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def service_account_info(token_uri: str, project: str) -> dict[str, str]:
    """The fields of a service-account key file that google-auth reads."""
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": uuid.uuid4().hex,
        "private_key": _private_key_pem(),
        "client_email": f"director-tests@{project}.iam.gserviceaccount.com",
        "client_id": "100000000000000000000",
        "token_uri": token_uri,
    }
