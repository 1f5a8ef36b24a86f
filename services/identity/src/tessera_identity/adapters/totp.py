"""TOTP (RFC 6238) with pyotp: 30-second steps, 6 digits, one step of clock drift either way."""

import pyotp

ISSUER = "Tessera"


def new_totp_secret() -> str:
    """A new base32 secret for an authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app scans as a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, at_timestamp: float) -> int | None:
    """The time step ``code`` is valid for (now, or one step before or after), or None."""
    totp = pyotp.TOTP(secret)
    digits = "".join(code.split())
    if not digits.isdigit() or len(digits) != totp.digits:
        return None
    step = int(at_timestamp // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), digits):
            return candidate
    return None


def code_at(secret: str, at_timestamp: float) -> str:
    """The code an authenticator shows at an instant (for tests and tools)."""
    return pyotp.TOTP(secret).at(int(at_timestamp))
