"""Experiments in links: round trips, bad and forged links, and the address bar of the app."""

import base64
import json
import random
import re
import zlib

import pytest
from streamlit.testing.v1 import AppTest

from builder.errors import SpecError
from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.share import MAX_LINK_CHARS, PARAM, decode, encode, from_query, to_query
from builder.experiment.spec import Experiment
from tests.apptest_helpers import texts

URL_SAFE = re.compile(r"^[0-9]+\.[A-Za-z0-9_-]+$")


def _pack(payload: bytes, version: str = "1") -> str:
    packed = base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")
    return f"{version}.{packed}"


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_round_trips_through_a_link(key):
    experiment = PRESETS[key].experiment
    link = encode(experiment)
    assert URL_SAFE.match(link)
    assert len(link) < 450  # presets spell out what differs from the defaults for a new table
    assert decode(link) == experiment
    assert from_query(to_query(experiment)) == experiment


def test_only_changed_settings_travel():
    assert decode(encode(Experiment())) == Experiment()
    short = len(encode(Experiment()))
    changed = Experiment()
    changed.network.hidden[0].units = 9
    assert short < len(encode(changed)) < 80
    assert decode(encode(changed)).network.hidden[0].units == 9


def test_edited_layers_survive_a_link():
    experiment = preset_experiment("titanic")
    experiment.network.hidden[0].dropout = 0.25
    experiment.network.hidden.insert(0, experiment.network.hidden[0].__class__(units=3))
    experiment.prep.test_size = 200 / 768
    assert decode(encode(experiment)) == experiment


def test_a_preset_parameter_opens_the_preset():
    assert from_query({"preset": "iris"}) == PRESETS["iris"].experiment
    assert from_query({}) is None
    with pytest.raises(SpecError, match="no preset named 'chess'"):
        from_query({"preset": "chess"})


BAD_LINKS = {
    "empty": "",
    "no version": "eNqrrgUAAXUA-Q",
    "words": "hello world",
    "version only": "1.",
    "not base64": "1.!!!$$$",
    "not deflated": "1." + base64.urlsafe_b64encode(b"plain text").decode(),
    "cut short": encode(PRESETS["titanic"].experiment)[:-12],
    "not json": _pack(b"{not json"),
    "a list": _pack(b"[1, 2, 3]"),
    "a bad value": _pack(json.dumps({"network": {"hidden": [{"units": 0}]}}).encode()),
    "a bad section": _pack(json.dumps({"prep": 5}).encode()),
    "a bad layer": _pack(json.dumps({"network": {"hidden": ["dense"]}}).encode()),
    "an unknown key": _pack(json.dumps({"prep": {"rm -rf": 1}}).encode()),
    "a bad sample": _pack(json.dumps({"data": {"source": "/etc/passwd"}}).encode()),
    "not utf-8": _pack(b"\xff\xfe{}"),
    "deep nesting": _pack(b"[" * 100_000 + b"]" * 100_000),
    "a zip bomb": _pack(b'{"name": "' + b" " * 5_000_000 + b'"}'),
    "too long": "1." + "A" * (MAX_LINK_CHARS + 1),
    "another version": _pack(b"{}", version="7"),
}


@pytest.mark.parametrize("name", list(BAD_LINKS))
def test_bad_and_forged_links_raise_a_spec_error(name):
    with pytest.raises(SpecError):
        decode(BAD_LINKS[name])


def test_bad_value_messages_name_the_setting():
    with pytest.raises(SpecError, match=r"network\.hidden\[0\]\.units.*Received: 0"):
        decode(BAD_LINKS["a bad value"])
    with pytest.raises(SpecError, match="version 7"):
        decode(BAD_LINKS["another version"])


def test_damaged_links_never_raise_anything_but_spec_errors():
    link = encode(PRESETS["titanic"].experiment)
    alphabet = "ABCxyz019-_.=%"
    rng = random.Random(4)
    refused = 0
    for _ in range(400):
        chars = list(link)
        for _ in range(rng.randint(1, 3)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        try:
            assert isinstance(decode("".join(chars)), Experiment)
        except SpecError:
            refused += 1
    assert refused > 300


def _sync_app():
    """A stand-in for app.py: restore the link, show the experiment, write it back."""
    import streamlit as st

    from ui import share, state

    state.init_state()
    share.restore_from_url()
    st.write(f"experiment: {state.experiment().name}")
    if st.button("Edit", key="edit"):
        state.experiment().network.hidden[0].units = 3
    share.write_to_url()


def _app(query=None):
    at = AppTest.from_function(_sync_app, default_timeout=60)
    at.query_params.update(query or {})
    return at.run()


def test_opening_a_link_loads_its_sample_and_settings():
    experiment = preset_experiment("titanic")
    experiment.network.hidden[0].units = 17
    at = _app({PARAM: encode(experiment)})
    assert not at.exception
    assert at.session_state.experiment == experiment
    assert list(at.session_state.table.columns)[:3] == ["PassengerId", "Survived", "Pclass"]
    assert at.query_params[PARAM] == encode(experiment)


def test_a_preset_link_is_rewritten_as_the_full_experiment():
    at = _app({"preset": "iris"})
    assert at.session_state.experiment == PRESETS["iris"].experiment
    assert at.query_params == {PARAM: encode(PRESETS["iris"].experiment)}


def test_edits_reach_the_address_bar():
    at = _app({"preset": "iris"})
    at.button(key="edit").click().run()
    assert decode(at.query_params[PARAM]).network.hidden[0].units == 3


def test_a_forged_link_shows_a_message_and_the_app_keeps_working():
    at = _app({PARAM: BAD_LINKS["a bad sample"]})
    assert not at.exception
    (error,) = texts(at.error)
    assert "could not be opened" in error
    assert "data.source" in error
    assert at.session_state.experiment == Experiment()
    assert at.session_state.table is None


def test_a_link_over_the_host_limits_is_refused(monkeypatch):
    monkeypatch.setenv("NNB_MAX_UNITS", "64")
    at = _app({"preset": "wide-overfit"})
    assert not at.exception
    assert "at most 64 units" in texts(at.error)[0]
    assert at.session_state.table is None


def test_a_link_to_an_uploaded_file_asks_for_the_file():
    experiment = preset_experiment("iris")
    experiment.data.source, experiment.data.files = "upload", ["flowers.csv"]
    at = _app({PARAM: encode(experiment)})
    assert not at.exception
    assert "flowers.csv" in texts(at.info)[0]
    assert at.session_state.experiment.network == experiment.network


# Links made by version 1 of the app, before the defaults changed (epochs, validation,
# early stopping, the hidden layers, target scaling): they must open what they opened then.
V1_LINKS = {
    "iris": "1.eNpNjUEKAjEMRa8iWRfRhZvewDOISIyZmUBtS1IVHHp301m5y__v8bNCxidDBFExCPDAhhBXsPJS-uubtDTi2"
    "eNuSuXDOupJEhvEy6btyd5wdRd15uayVSZx3gNU5brtEibJs8NcMg_SFCUPdMdGy83k63-OpwBcCy027kPvP1P4N5s",
    "wages": "1.eNpNzcEKwjAMBuBXGTkpDHHKQHv14lHwKGOULtuKtS1t5xij725aRDwm-fL_K2j-QmAw8wE9lNDxwIGt4M3kx"
    "P8hyKDSfKWDWoq8LjaX272ozqd6S6KXiiR7wJhJm8lO-Dc09M7dgOGb11p0bVIQS7AObW4UXEk9ENFGI-X54HiQ_QKs58ojU"
    "Y1hNu6Z9Ci7DjW1rTBpGai33sfyNxwPsaEHSpA6cbRGjLSv9jF-ALxHUec",
}
V1_UPLOAD = "1.eNqrVkpJLElUsqpWKs4vLUpOVbJSKi3IyU9MUdJRKsksyQEJ5FbqJReXAQXSMnNSi5WsomEisUA1iUXpqSVARZVKtbUA5AwZWA"


@pytest.mark.parametrize("key", list(V1_LINKS))
def test_a_version_1_preset_link_opens_the_same_preset(key):
    assert decode(V1_LINKS[key]) == PRESETS[key].experiment


def test_a_version_1_link_keeps_the_defaults_of_its_day():
    experiment = decode(V1_UPLOAD)
    assert experiment.data.target == "y" and experiment.version == Experiment().version
    assert [(layer.units, layer.activation) for layer in experiment.network.hidden] == [(8, "relu")]
    train = experiment.train
    assert (train.epochs, train.validation, train.early_stopping, train.patience) == (
        20,
        "test",
        False,
        5,
    )
    assert experiment.prep.scale_target is False
    assert encode(experiment).startswith(f"{Experiment().version}.")
