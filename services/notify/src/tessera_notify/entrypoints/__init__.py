"""How work reaches notify: HTTP requests, Kafka events, and the e-mail sender's own triggers."""
