"""Pure rules of notify: who hears about what, and when an e-mail is retried or given up."""
