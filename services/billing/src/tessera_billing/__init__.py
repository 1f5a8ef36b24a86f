"""Tessera's billing service: catalogue, subscriptions and who pays for them."""
