"""identity's connections to the outside: database, password hashing, keys and tokens."""
