"""An experiment in a link: a short, URL-safe text that decodes back to the same Experiment.

The text is ``"<version>.<payload>"``: the settings that differ from a default
``Experiment()``, as compact JSON, deflated and written in URL-safe base64.

Why this encoding:

- Only the differences travel, so a typical preset fits in about 300 characters,
  short enough to paste into a chat or a course page; settings added to the app
  later take their defaults when an old link is opened.
- One opaque query parameter survives Streamlit's flat ``st.query_params`` and
  every browser and chat client (base64url needs no percent-escaping), where one
  parameter per setting would need its own syntax for a list of layers.
- The JSON inside is ``Experiment.to_dict()``'s, so a link is validated by the
  same ``Experiment.from_dict`` as a downloaded JSON file.
- The version prefix says which defaults the link was diffed against: a link of an
  older version is laid over that version's defaults (``spec.default_settings``), so
  it opens the same experiment after the defaults changed; an unknown version is
  refused with a message instead of misread.

A link is never trusted: its length is capped before and after inflating (a
small link cannot inflate into gigabytes), and every value is validated; any
problem raises ``SpecError``.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from typing import Any

from builder.errors import SpecError
from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import (
    SPEC_VERSION,
    Experiment,
    LayerSpec,
    check_version,
    default_settings,
    merge_settings,
)

PARAM = "x"
PRESET_PARAM = "preset"
MAX_LINK_CHARS = 16_000
MAX_JSON_BYTES = 200_000
_SAME = object()
_BAD_LINK = "This link does not hold an experiment (it may have been cut short when copied)."


def _diff(value: Any, default: Any) -> Any:
    """The parts of ``value`` that differ from ``default``; ``_SAME`` when none do."""
    if isinstance(value, dict) and isinstance(default, dict):
        changed = {}
        for key, item in value.items():
            delta = _diff(item, default.get(key, _SAME))
            if delta is not _SAME:
                changed[key] = delta
        return changed or _SAME
    if type(value) is type(default) and value == default:
        return _SAME
    return value


def _changes(experiment: Experiment) -> dict[str, Any]:
    """The experiment's settings that differ from the defaults, layers each diffed too."""
    raw = experiment.to_dict()
    changed = _diff(raw, Experiment().to_dict())
    changed = {} if changed is _SAME else changed
    network = changed.get("network", {})
    if "hidden" in network:
        layers = raw["network"]["hidden"]
        network["hidden"] = [
            {} if (delta := _diff(layer, default)) is _SAME else delta
            for layer, default in zip(
                layers, _layer_defaults(SPEC_VERSION, len(layers)), strict=True
            )
        ]
    return changed


def _layer_defaults(version: int, count: int) -> list[dict[str, Any]]:
    """What each of ``count`` layers is diffed against in a link of ``version``.

    The default network's layer in the same place, else ``LayerSpec()``, so a link that
    edits one default layer stays short.
    """
    hidden = default_settings(version)["network"]["hidden"]
    return [hidden[i] if i < len(hidden) else LayerSpec().__dict__ for i in range(count)]


def encode(experiment: Experiment) -> str:
    """The experiment as a short URL-safe text.

    Args:
        experiment: any valid experiment.

    Returns:
        ``"<version>.<base64url of deflated JSON>"``, without padding.
    """
    return f"{SPEC_VERSION}.{pack(_changes(experiment))}"


def pack(data: Any) -> str:
    """``data`` as compact JSON, deflated and written in URL-safe base64 without padding."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    packed = zlib.compress(text.encode("utf-8"), level=9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def unpack(payload: str, max_bytes: int, bad_link: str) -> Any:
    """Read back what ``pack`` wrote, inflating at most ``max_bytes`` (no zip bombs).

    Raises:
        SpecError: with ``bad_link`` when the text is not packed JSON, or when it
            inflates to more than ``max_bytes``.
    """
    try:
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, max_bytes + 1)
    except (binascii.Error, ValueError, zlib.error) as error:
        raise SpecError(bad_link) from error
    if len(raw) > max_bytes or inflater.unconsumed_tail:
        raise SpecError(f"This link describes more than {max_bytes:,} bytes of settings.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SpecError(bad_link) from error


def decode(text: str) -> Experiment:
    """Rebuild the experiment a link holds.

    Args:
        text: the value ``encode`` returned, as read from the query string.

    Returns:
        The validated experiment.

    Raises:
        SpecError: the text is damaged, too long, from another version or holds a bad value.
    """
    if not isinstance(text, str) or len(text) > MAX_LINK_CHARS:
        raise SpecError(f"A link must be at most {MAX_LINK_CHARS:,} characters. {_BAD_LINK}")
    version, dot, payload = text.strip().partition(".")
    if not dot or not version.isdigit():
        raise SpecError(_BAD_LINK)
    try:
        check_version(int(version))
    except SpecError:
        raise SpecError(
            f"This link was made for experiment version {version}; this app reads version "
            f"{SPEC_VERSION}. Ask for a new link."
        ) from None
    changes = unpack(payload, MAX_JSON_BYTES, _BAD_LINK)
    raw = merge_settings(default_settings(int(version)), changes)
    layers = raw["network"].get("hidden")
    if isinstance(layers, list):
        raw["network"]["hidden"] = [
            merge_settings(default, layer, f"network.hidden[{i}]")
            for i, (layer, default) in enumerate(
                zip(layers, _layer_defaults(int(version), len(layers)), strict=True)
            )
        ]
    return Experiment.from_dict({**raw, "version": SPEC_VERSION})


def to_query(experiment: Experiment) -> dict[str, str]:
    """The query parameters that carry an experiment."""
    return {PARAM: encode(experiment)}


def from_query(params: Mapping[str, str]) -> Experiment | None:
    """The experiment named by query parameters: ``?x=<encoded>`` or ``?preset=<key>``.

    Args:
        params: the query parameters, e.g. ``st.query_params``.

    Returns:
        The experiment, or None when the parameters name none.

    Raises:
        SpecError: the link is damaged, or names an unknown preset or a bad value.
    """
    if PARAM in params:
        return decode(params[PARAM])
    if PRESET_PARAM in params:
        key = params[PRESET_PARAM]
        if key not in PRESETS:
            raise SpecError(f"There is no preset named {key!r:.60}. Presets: {', '.join(PRESETS)}")
        return preset_experiment(key)
    return None
