"""Tessera notify: tells people by e-mail what happened, once per cause, recipient and notification."""
