"""Problems particular to identity, beside the kit's."""

from tessera_kit.problems import ServiceUnavailable


class SigningUnavailable(ServiceUnavailable):
    """identity has no key to sign tokens with yet (it makes one as it starts)."""

    title = "Signing unavailable"
    slug = "signing-unavailable"
