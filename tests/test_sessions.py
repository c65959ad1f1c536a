"""A session counts as ended only once it stayed disconnected longer than Streamlit keeps it."""

from types import SimpleNamespace

from streamlit import runtime

from ui import sessions

GRACE = 60.0


def test_a_session_ends_only_after_staying_away_past_the_grace(monkeypatch):
    connected = {"s1": True}
    server = SimpleNamespace(is_active_session=connected.get)
    monkeypatch.setattr(runtime, "get_instance", lambda: server)
    ended = sessions._SessionEnded("s1", GRACE)
    assert not ended()
    connected["s1"] = False
    assert not ended()
    ended.away_since -= GRACE - 1  # a long blip, still within the grace
    assert not ended()
    connected["s1"] = True  # the tab came back: the clock starts again
    assert not ended()
    connected["s1"] = False
    assert not ended()
    ended.away_since -= GRACE + 1
    assert ended()


def test_without_a_running_server_nothing_counts_as_ended():
    assert sessions.end_check() is None  # no script run here
    assert not sessions._SessionEnded("s1", GRACE)()  # no runtime
