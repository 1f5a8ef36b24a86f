-- One role and one database per Tessera service, the role owning its database; nobody else may
-- connect to it. Run by the postgres image's entrypoint (psql -v ON_ERROR_STOP=1) once, when the
-- data volume is empty: after changing a password in .env, run `docker compose down -v` (which
-- deletes every database) or ALTER ROLE by hand.
--
-- The passwords come from the container's environment (compose.yaml passes them from .env);
-- \getenv needs psql 15 or newer, which the postgres:15 image has. :'var' quotes a literal and
-- :"var" an identifier, so no password can break out of the statement.

\getenv identity_password IDENTITY_DB_PASSWORD
\getenv partnership_password PARTNERSHIP_DB_PASSWORD
\getenv billing_password BILLING_DB_PASSWORD
\getenv wallet_password WALLET_DB_PASSWORD
\getenv notify_password NOTIFY_DB_PASSWORD

CREATE ROLE identity LOGIN PASSWORD :'identity_password';
CREATE DATABASE identity OWNER identity;
REVOKE ALL ON DATABASE identity FROM PUBLIC;

CREATE ROLE partnership LOGIN PASSWORD :'partnership_password';
CREATE DATABASE partnership OWNER partnership;
REVOKE ALL ON DATABASE partnership FROM PUBLIC;

CREATE ROLE billing LOGIN PASSWORD :'billing_password';
CREATE DATABASE billing OWNER billing;
REVOKE ALL ON DATABASE billing FROM PUBLIC;

CREATE ROLE wallet LOGIN PASSWORD :'wallet_password';
CREATE DATABASE wallet OWNER wallet;
REVOKE ALL ON DATABASE wallet FROM PUBLIC;

CREATE ROLE notify LOGIN PASSWORD :'notify_password';
CREATE DATABASE notify OWNER notify;
REVOKE ALL ON DATABASE notify FROM PUBLIC;
