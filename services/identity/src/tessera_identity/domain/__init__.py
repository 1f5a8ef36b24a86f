"""identity's rules: organisations, the people in them, and the keys that vouch for them."""
