"""How much a partner may order on its client's bill: orders a partner places while the client pays
are charged to the client's card, so they are capped per order and over 24 hours."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PartnerOrderLimits:
    """The most a partner's orders may put on its client's bill: per order and per 24 hours (minor units)."""

    per_order_minor: int = 100_000
    per_day_minor: int = 500_000

    def refusal(self, total_minor: int, already_today_minor: int) -> str | None:
        """Why an order of ``total_minor`` on the client's bill is refused (None: within the limits)."""
        if total_minor > self.per_order_minor:
            return f"a partner may order at most {self.per_order_minor} (minor units) at a time for a client"
        if already_today_minor + total_minor > self.per_day_minor:
            left = max(self.per_day_minor - already_today_minor, 0)
            return f"a partner may order at most {self.per_day_minor} a day for a client; {left} left today"
        return None
