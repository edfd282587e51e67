"""Talking to Telegram: the running bot (:mod:`.app`, whose intake records each update before it is
confirmed), its handlers, the rate-limited, retrying sender, and the ledger (outbox of owed
replies, inbox of updates kept during a database outage)."""
