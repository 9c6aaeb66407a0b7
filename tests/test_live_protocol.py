"""The live session's bookkeeping (eleven_cli.live_protocol): no socket, no thread, no clock."""

from __future__ import annotations

import pytest

from eleven_cli.errors import NetworkError
from eleven_cli.live_protocol import LiveProtocol, Position, Resend, TextGate


def test_without_sync_a_generation_is_confirmed_when_the_next_one_begins() -> None:
    p = LiveProtocol(sync_alignment=False)
    p.sent("Hello there. ", flush=True)
    p.sent("General Kenobi. ", flush=True)
    assert p.received(100, 0.5, characters=13) is None  # the first generation starts: nothing before it
    assert p.confirmed == 0
    assert p.received(80, 0.4) is None  # more of it, no alignment: still unconfirmed
    assert p.confirmed == 0
    safe = p.received(120, 0.6, characters=16)  # the second generation starts: the first is whole
    assert p.confirmed == 13
    assert safe == Position(180, pytest.approx(0.9), 13, 0)
    assert p.position == Position(300, pytest.approx(1.5), 29, 0)
    assert p.final() == p.position and p.confirmed == 29


def test_with_sync_each_message_confirms_its_characters() -> None:
    p = LiveProtocol(sync_alignment=True)
    p.sent("one two three ")
    safe = p.received(50, 0.25, characters=4, normalized=4)
    assert p.confirmed == 4 and safe == Position(50, 0.25, 4, 4)
    assert p.received(10, 0.05) is None  # audio alone confirms nothing
    p.received(60, 0.3, characters=10, normalized=10)
    assert p.confirmed == 14 and p.safe.bytes == 120


def test_drop_mid_generation_resends_the_unconfirmed_text_and_rolls_back() -> None:
    p = LiveProtocol(sync_alignment=False, retries=3)
    p.sent("First line.\n", flush=True)
    p.sent("Second line.\n", flush=True)
    p.received(100, 0.5, characters=12)
    p.received(100, 0.5, characters=13)  # the first line is confirmed; the second is arriving
    p.received(40, 0.2)
    resend = p.dropped("code 1006")
    assert resend == Resend((("Second line.\n", True),), Position(100, 0.5, 12, 0), attempt=1)
    assert p.position == resend.rollback_to  # what follows comes from the new connection
    # The new connection speaks the resent text; the session ends normally.
    p.received(110, 0.55, characters=13)
    assert p.final() == Position(210, pytest.approx(1.05), 25, 0)
    assert p.billed == len("First line.\n") + 2 * len("Second line.\n")
    assert p.drops == 1


def test_drop_in_sync_mode_resends_only_what_no_message_held() -> None:
    p = LiveProtocol(sync_alignment=True)
    p.sent("alpha beta gamma ")
    p.received(30, 0.2, characters=6)  # "alpha "
    p.received(30, 0.2, characters=5)  # "beta "
    resend = p.dropped("closed")
    assert resend is not None and resend.text == "gamma " and not resend.pieces[0][1]
    assert resend.rollback_to.bytes == 60


def test_resend_keeps_the_flush_of_what_was_flushed_and_not_of_the_rest() -> None:
    p = LiveProtocol()
    p.sent("A line.\n", flush=True)
    p.sent("and more ")
    resend = p.dropped("closed")
    assert resend is not None and resend.pieces == (("A line.\n", True), ("and more ", False))


def test_drop_after_the_last_generation_but_before_final_resends_it() -> None:
    p = LiveProtocol(sync_alignment=False)
    p.sent("Only this. ")
    p.received(200, 1.0, characters=11)
    resend = p.dropped("closed before the final message")
    assert resend is not None and resend.text == "Only this. " and resend.rollback_to == Position()


def test_drop_after_final_changes_nothing() -> None:
    p = LiveProtocol()
    p.sent("Done. ")
    p.received(100, 0.5, characters=6)
    end = p.final()
    assert p.dropped("closed after the final message") is None
    assert p.position == end and p.drops == 0


def test_repeated_drops_without_progress_give_up_and_progress_resets_the_count() -> None:
    p = LiveProtocol(retries=2)
    p.sent("Some words here. ")
    first, second = p.dropped("a"), p.dropped("b")
    assert first is not None and second is not None
    assert (first.attempt, second.attempt) == (1, 2) and second.text == "Some words here. "
    assert p.billed == 3 * len("Some words here. ")  # sent, and sent again twice
    with pytest.raises(NetworkError, match="2 reconnects failed"):
        p.dropped("c")
    q = LiveProtocol(retries=1)
    q.sent("One. ")
    q.sent("Two. ")
    assert q.dropped("a") is not None
    q.received(10, 0.1, characters=5)
    q.received(10, 0.1, characters=5)  # "One. " confirmed: progress
    resend = q.dropped("b")
    assert resend is not None and resend.attempt == 1 and resend.text == "Two. "


def test_keep_alives_count_as_sent_and_alone_are_not_resent() -> None:
    p = LiveProtocol(sync_alignment=True)
    p.sent("Hello ")
    p.sent(" ")  # a keep-alive: buffered by the server, part of the next generation
    p.sent("world ")
    p.received(50, 0.3, characters=13)
    assert p.confirmed == 13 and p.unconfirmed == ""
    p.sent(" ")
    p.sent(" ")
    resend = p.dropped("closed")
    assert resend is not None and resend.pieces == ()  # nothing but keep-alives: nothing to say again
    p.sent("More. ")
    p.received(20, 0.1, characters=6)
    assert p.confirmed == 19  # the keep-alives that were not resent are not counted


def test_without_rollback_the_audio_stays_and_the_repeat_is_measured() -> None:
    p = LiveProtocol(sync_alignment=False, can_roll_back=False)
    p.sent("One sentence. ")
    p.sent("Another one. ")
    p.received(100, 0.5, characters=14)
    p.received(100, 0.5, characters=13)
    p.received(100, 0.5)
    resend = p.dropped("closed")
    assert resend is not None and resend.text == "Another one. "
    assert resend.repeated == pytest.approx(1.0) and p.position.bytes == 300  # already played: kept


def test_old_confirmed_text_is_forgotten() -> None:
    p = LiveProtocol(sync_alignment=True)
    for _ in range(2000):
        p.sent("word ")
        p.received(10, 0.01, characters=5)
    assert len(p._text) < 5000 and p.confirmed == 10000


@pytest.mark.parametrize(("pieces", "sent"), [
    ([("", False), ("   ", False), ("\n\n", True)], []),  # nothing to say: nothing sent
    ([("one\n", True), ("\n", True), ("\n", True), ("two\n", True)], [("one\n", True), ("two\n", True)]),
    ([("one\n\n\n  two\n", True)], [("one\ntwo\n", True)]),
    ([("Hello", False), (" ", False), ("world", False)], [("Hello", False), (" world", False)]),
    ([("  Leading", False)], [("Leading", False)]),
    ([("end", False), ("\n\n", True)], [("end", False), ("\n", True)]),  # a blank flush flushes what went out
])
def test_blank_text_is_never_sent(pieces: list[tuple[str, bool]], sent: list[tuple[str, bool]]) -> None:
    gate = TextGate()
    assert [m for text, flush in pieces for m in gate.take(text, flush)] == sent


def test_flush_on_newline_cuts_after_the_last_newline() -> None:
    gate = TextGate(flush_on_newline=True)
    assert gate.take("First.\nSecond") == [("First.\n", True), ("Second", False)]
    assert gate.take(" part.") == [(" part.", False)]
