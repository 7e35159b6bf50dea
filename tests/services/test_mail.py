"""Outgoing mail: the SMTP URL setting, a real local SMTP server, the console without one, and a
server that does not answer (no database)."""

from __future__ import annotations

import io

import pytest

from observo.services import mail
from observo.settings import Settings, SmtpTarget, smtp_target
from tests.mail_server import body, free_port, smtp_server


def test_the_smtp_url_is_read_into_its_parts():
    assert smtp_target("smtp://user%40x:p%3Ass@mail.example:587?starttls=1") == SmtpTarget(
        host="mail.example", port=587, starttls=True, user="user@x", password="p:ss"
    )
    assert smtp_target("smtps://mail.example") == SmtpTarget(host="mail.example", port=465, tls=True)
    assert smtp_target("smtp://localhost") == SmtpTarget(host="localhost", port=25)


@pytest.mark.parametrize(
    "url", ["http://mail.example", "smtp://", "smtp://mail.example?tls=1", "mail.example"]
)
def test_a_bad_smtp_url_stops_the_start(url):
    with pytest.raises(ValueError, match="OBSERVO_SMTP_URL"):
        Settings.from_env({"OBSERVO_SMTP_URL": url})


def test_the_password_of_a_bad_url_is_not_repeated():
    with pytest.raises(ValueError) as refused:
        Settings.from_env({"OBSERVO_SMTP_URL": "http://user:secret-password@mail.example"})
    assert "secret-password" not in str(refused.value)


def test_mail_from_must_be_an_address():
    assert Settings.from_env({"OBSERVO_MAIL_FROM": "Comune <pm@comune.example>"}).mail_from == (
        "Comune <pm@comune.example>"
    )
    with pytest.raises(ValueError, match="OBSERVO_MAIL_FROM"):
        Settings.from_env({"OBSERVO_MAIL_FROM": "nobody"})


def test_a_message_reaches_a_real_smtp_server():
    with smtp_server() as inbox:
        settings = Settings(smtp_url=inbox.url, mail_from="Observo <noreply@observo.example>")
        mail.send(
            settings, mail.message(settings, "anna@example.it", "Prova àèì", "Riga uno\nLink: http://x/y")
        )
    [received] = inbox.messages
    assert received["From"] == "Observo <noreply@observo.example>" and received["Subject"] == "Prova àèì"
    assert received["X-Envelope-To"] == "anna@example.it" and "Link: http://x/y" in body(received)
    assert received["Message-ID"].endswith("@observo.example>") and received["Date"]


def test_without_a_server_the_message_is_written_to_the_console():
    settings = Settings()
    console = io.StringIO()
    link = "http://localhost:5000/proprietari/verifica/" + "x" * 120  # longer than a wire line
    body = f"È già qui, perché la conferma è necessaria: {link}"
    mail.send(settings, mail.message(settings, "anna@example.it", "Verifica", body), console)
    written = console.getvalue()
    assert "OBSERVO_SMTP_URL is not set" in written and "To: anna@example.it" in written
    assert body in written and "=C3" not in written  # as a person reads it, the link whole


def test_a_server_that_does_not_answer_raises_a_clear_error(caplog):
    settings = Settings(smtp_url=f"smtp://user:secret-password@127.0.0.1:{free_port()}")
    with pytest.raises(mail.MailError, match="did not take the message"):
        mail.send(settings, mail.message(settings, "anna@example.it", "Prova", "testo"))
    assert "not sent" in caplog.text and "secret-password" not in caplog.text


def test_send_each_counts_what_the_server_took_and_names_each_refusal():
    with smtp_server() as inbox:
        settings = Settings(smtp_url=inbox.url, mail_from="Observo <noreply@observo.example>")
        messages = [mail.message(settings, f"{name}@example.it", "Prova", "testo") for name in ("a", "b")]
        assert mail.send_each(settings, messages) == 2
    assert [m["X-Envelope-To"] for m in inbox.messages] == ["a@example.it", "b@example.it"]
    down = Settings(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    refused: list[str] = []
    messages = [mail.message(down, f"{name}@example.it", "Prova", "testo") for name in ("a", "b")]
    assert mail.send_each(down, messages, lambda message: refused.append(message["To"])) == 0
    assert refused == ["a@example.it", "b@example.it"]  # every message tried, each refusal named
