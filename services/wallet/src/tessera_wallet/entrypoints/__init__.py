"""How the outside reaches wallet: HTTP, Kafka consumers, Stripe's webhook and the charging job."""
