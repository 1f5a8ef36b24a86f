"""Ed25519 key pairs: made here, and shown to the world as JSON Web Keys."""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)

from tessera_identity.domain.signing_keys import KeyPair, SigningKey


def generate_ed25519_key_pair() -> KeyPair:
    """A fresh Ed25519 key pair: PKCS#8 private key and SubjectPublicKeyInfo public key, as PEM."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    public_pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return KeyPair(private_key_pem=private_pem.decode(), public_key_pem=public_pem.decode())


def public_jwk(key: SigningKey) -> dict[str, Any]:
    """The public half of a signing key as an RFC 8037 OKP JSON Web Key."""
    public = load_pem_public_key(key.key_pair.public_key_pem.encode())
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError(f"signing key {key.key_id} is not an Ed25519 key")
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        "kid": key.key_id,
        "use": "sig",
        "alg": key.algorithm,
    }
