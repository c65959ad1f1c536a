"""A workspace counts as left only once all its sessions stayed away past the grace."""

from types import SimpleNamespace

from streamlit import runtime

from ui import sessions

GRACE = 60.0


def test_a_workspace_is_left_only_when_every_tab_stayed_away_past_the_grace(monkeypatch):
    connected = {"s1": True, "s2": False}
    server = SimpleNamespace(is_active_session=connected.get)
    monkeypatch.setattr(runtime, "get_instance", lambda: server)
    monkeypatch.setitem(sessions._WATCHERS, "w1", ["s1"])
    # The test's own clock: a second of the test's lines on a loaded machine moves nothing.
    clock = [1000.0]
    monkeypatch.setattr(sessions, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    left = sessions._WorkspaceLeft("w1", GRACE)
    assert not left()
    connected["s1"] = False
    assert not left()
    clock[0] += GRACE - 1  # a long blip, still within the grace
    assert not left()
    sessions._WATCHERS["w1"].append("s2")  # a reload: a new session of the same workspace
    connected["s2"] = True
    assert not left()  # the clock starts again
    connected["s2"] = False
    assert not left()
    clock[0] += GRACE
    assert not left()  # the grace has just passed: not yet longer
    clock[0] += 1
    assert left()


def test_without_a_running_server_nothing_counts_as_left():
    assert sessions.end_check("w1") is None  # no script run here
    assert not sessions._WorkspaceLeft("w1", GRACE)()  # no runtime
