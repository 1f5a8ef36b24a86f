"""The local SMTP inbox: smtplib sends, read_inbox / wait_for_message / the JSON list read back."""

import json
import smtplib
import threading
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest

from tessera_devtools.smtp_inbox import SmtpInbox, read_inbox, wait_for_message


def message(subject: str, to: str = "client@example.com") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "billing@tessera.test"
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content("Grüezi! Your invoice is ready.")
    return mail


def test_every_message_is_stored_and_read_back(tmp_path: Path) -> None:
    with SmtpInbox(tmp_path / "mail", http_port=0) as inbox, smtplib.SMTP("127.0.0.1", inbox.port) as smtp:
        smtp.send_message(message("Invoice 1"))
        smtp.send_message(message("Invoice 2"), to_addrs=["partner@example.com", "bcc@example.com"])
        with urllib.request.urlopen(
            f"http://127.0.0.1:{inbox.http_port}/api/messages", timeout=5
        ) as response:
            listed = json.loads(response.read())
        with urllib.request.urlopen(f"http://127.0.0.1:{inbox.http_port}/", timeout=5) as response:
            page = response.read().decode()
    received = read_inbox(tmp_path / "mail")
    assert [m["Subject"] for m in received] == ["Invoice 1", "Invoice 2"]
    assert received[0].get_content().strip() == "Grüezi! Your invoice is ready."
    assert received[1]["X-Envelope-To"] == "partner@example.com, bcc@example.com"
    assert [entry["subject"] for entry in listed] == ["Invoice 1", "Invoice 2"]
    assert set(listed[0]) == {"from", "to", "subject", "date", "file"}
    assert "Invoice 2" in page
    assert not list((tmp_path / "mail").glob(".*.tmp"))


def test_logins_are_accepted_without_tls(tmp_path: Path) -> None:
    with SmtpInbox(tmp_path) as inbox, smtplib.SMTP("127.0.0.1", inbox.port) as smtp:
        smtp.login("anyone", "anything")
        smtp.send_message(message("After login"))
    assert read_inbox(tmp_path)[0]["Subject"] == "After login"


def test_wait_for_message_waits_for_a_late_message(tmp_path: Path) -> None:
    with SmtpInbox(tmp_path) as inbox:

        def send_later() -> None:
            with smtplib.SMTP("127.0.0.1", inbox.port) as smtp:
                smtp.send_message(message("Late", to="late@example.com"))

        timer = threading.Timer(0.3, send_later)
        timer.start()
        found = wait_for_message(tmp_path, lambda m: m["To"] == "late@example.com", timeout=10)
        timer.join()
    assert found["Subject"] == "Late"


def test_wait_for_message_times_out_naming_what_arrived(tmp_path: Path) -> None:
    with SmtpInbox(tmp_path) as inbox, smtplib.SMTP("127.0.0.1", inbox.port) as smtp:
        smtp.send_message(message("Something else"))
    with pytest.raises(TimeoutError, match="Something else"):
        wait_for_message(tmp_path, lambda m: m["Subject"] == "Missing", timeout=0.3)
