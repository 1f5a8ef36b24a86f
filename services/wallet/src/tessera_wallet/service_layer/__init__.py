"""wallet's use cases: one transaction each."""
