"""How billing is reached: its HTTP API and the events it consumes."""
