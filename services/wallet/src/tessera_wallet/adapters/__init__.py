"""wallet's connections to the outside: its database."""
