"""Talking to Telegram: the running bot (:mod:`.app`), its handlers, the rate-limited, retrying
sender, the intake that records each update before it is confirmed, and the ledger (outbox of owed
replies, inbox of updates kept during a database outage)."""
