"""What each role may do in an organisation.

- legal_representative: everything, including the organisation's VAT and registry numbers and
  naming or removing legal representatives.
- administrator: the profile (name, locale, billing contact, addresses), members and administrators,
  and every API token of the organisation.
- member: sees the organisation and its members, and manages their own API tokens.
"""

from enum import StrEnum

from tessera_identity.domain.model import Role


class Action(StrEnum):
    """Something a member may be allowed to do in an organisation."""

    VIEW = "view the organisation"
    EDIT_PROFILE = "change the organisation's profile"
    EDIT_TAX_IDS = "change the organisation's VAT or registry number"
    MANAGE_MEMBERS = "add, change or remove members"
    MANAGE_LEGAL_REPRESENTATIVES = "name or remove legal representatives"
    MANAGE_ALL_API_TOKENS = "see and revoke every API token of the organisation"
    CREATE_API_TOKEN = "create API tokens"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.LEGAL_REPRESENTATIVE: frozenset(Action),
    Role.ADMINISTRATOR: frozenset(
        {
            Action.VIEW,
            Action.EDIT_PROFILE,
            Action.MANAGE_MEMBERS,
            Action.MANAGE_ALL_API_TOKENS,
            Action.CREATE_API_TOKEN,
        }
    ),
    Role.MEMBER: frozenset({Action.VIEW, Action.CREATE_API_TOKEN}),
}


def may(role: Role, action: Action) -> bool:
    """Whether someone with ``role`` may do ``action``."""
    return action in _ALLOWED[role]


def action_for_membership_change(old: Role | None, new: Role | None) -> Action:
    """What changing a membership from ``old`` to ``new`` takes (None: not a member / removed)."""
    if Role.LEGAL_REPRESENTATIVE in {old, new}:
        return Action.MANAGE_LEGAL_REPRESENTATIVES
    return Action.MANAGE_MEMBERS
