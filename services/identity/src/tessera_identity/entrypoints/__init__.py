"""How the world reaches identity: HTTP routes, event handlers and jobs run at start."""
