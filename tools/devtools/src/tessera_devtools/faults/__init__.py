"""``./dev faults``: the suite's own fault campaign.

Each scenario runs a load (registrations through identity's HTTP API, billing-mode switches that
make e-mails), injects one fault with the project's own process control (kill -9, SIGSTOP, a broker
killed and restarted on its data folder, PostgreSQL stopped or held in recovery, terminated
backends, SMTP or stripe-mock down, poison records, a replay from the earliest offset, replicas
joining and leaving, a leader of a 3-broker cluster killed), and ends with a set comparison of
event ids and effects: outbox -> topic -> each consumer's inbox -> projections, payer assignments,
ledger entries, Stripe idempotency keys and e-mails by Message-ID.

* :mod:`.control`: the running suite and how to hurt it (processes, signals, PostgreSQL recovery);
* :mod:`.load`: the load; :mod:`.topiclog`: every record of every topic, read as it arrives;
* :mod:`.audit`: the comparison; :mod:`.scenarios`: the named scenarios; :mod:`.runner`: the command.
"""
