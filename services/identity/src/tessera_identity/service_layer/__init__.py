"""identity's use cases, one function each, each one transaction."""
