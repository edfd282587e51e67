"""The bot's ledger (outbox of owed replies, inbox of kept updates) on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from esm_bot.telegram.ledger import Ledger, Owed, ledger_path


def test_a_reply_is_sent_once_across_processes(tmp_path: Path) -> None:
    """Settled replies are found again by a new process; an owed one is handed out once."""
    path = ledger_path(tmp_path / "journal.jsonl")
    first = Ledger(path)
    sent, owed = Owed("7:0", 42, "feedback"), Owed("7:1", 42, "tip", '{"inline_keyboard": []}')
    assert first.owe(sent) is None  # never seen: send it
    assert first.owe(sent) is not None  # the same reply while it is being sent: busy
    first.settle(sent, "sent", 1001)
    assert first.owe(owed) is None
    first.settle(owed, "owed")  # SIGTERM while it waited out a 429
    first.close()

    second = Ledger(path)  # the next process
    again = second.owe(sent)
    assert again is not None
    assert again.state == "sent"
    assert again.message_id == 1001
    taken = second.take_owed()
    assert [(o.key, o.text, o.reply_markup) for o in taken] == [
        ("7:1", "tip", '{"inline_keyboard": []}')
    ]
    assert second.take_owed() == []  # busy until settled
    second.settle(taken[0], "sent", 1002)
    assert second.counts() == {"owed": 0, "held": 0}
    assert second.owe(owed) is not None


def test_kept_updates_keep_their_chat_in_order(tmp_path: Path) -> None:
    """Kept updates come back oldest first; their chat is held until the last is handled."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.hold(12, 5, {"update_id": 12, "message": {"text": "b"}})
    ledger.hold(11, 5, {"update_id": 11, "message": {"text": "a"}})
    ledger.hold(11, 5, {"update_id": 11, "message": {"text": "a"}})  # redelivered: kept once
    assert ledger.holding(5)
    assert not ledger.holding(6)
    assert [h["message"]["text"] for h in ledger.held()] == ["a", "b"]
    ledger.handled(11)
    assert ledger.holding(5)
    ledger.handled(12)
    assert not ledger.holding(5)
    assert Ledger(tmp_path / "l.sqlite3").counts() == {"owed": 0, "held": 0}
