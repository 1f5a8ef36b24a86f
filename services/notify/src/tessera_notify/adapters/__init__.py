"""notify's ties to the outside: PostgreSQL, SMTP and the e-mail templates."""
