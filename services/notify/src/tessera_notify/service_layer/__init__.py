"""notify's use cases: keep the projection, turn events into e-mails, send them, show the log."""
