"""Host limits: defaults, environment overrides, and the Streamlit settings that match them."""

import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from builder.config import HostLimits, JobBackend, job_backend, load_limits


def test_environment_overrides_a_limit():
    limits = load_limits({"NNB_MAX_ROWS": "5000", "NNB_MAX_UNITS": "64"})
    assert limits.max_rows == 5000
    assert limits.max_units == 64
    assert limits.max_layers == HostLimits().max_layers


@pytest.mark.parametrize("raw", ["-1", "0", "lots", "1.5"])
def test_a_bad_override_names_the_variable(raw):
    with pytest.raises(
        ValueError, match=f"NNB_MAX_EPOCHS must be a positive whole number. Received: '{raw}'"
    ):
        load_limits({"NNB_MAX_EPOCHS": raw})


def test_streamlit_upload_limit_matches_the_host_cap():
    config = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text())
    assert settings["server"]["maxUploadSize"] == HostLimits().max_upload_mb
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["client"]["showErrorDetails"] == "none"
    assert settings["server"]["fileWatcherType"] == "none"  # a watcher per tab costs the CPU
    assert settings["runner"]["postScriptGC"] is False  # a full collection per fragment run


def test_jobs_run_locally_unless_ray_is_chosen():
    assert job_backend({}) == JobBackend("local", "auto")
    chosen = job_backend({"NNB_JOB_BACKEND": "Ray", "NNB_RAY_ADDRESS": "10.0.0.5:6379"})
    assert chosen == JobBackend("ray", "10.0.0.5:6379")
    with pytest.raises(
        ValueError, match=r"NNB_JOB_BACKEND must be one of local, ray\. Received: 'dask'"
    ):
        job_backend({"NNB_JOB_BACKEND": "dask"})


def test_security_md_names_every_cap_with_its_default():
    """SECURITY.md's table of caps: each variable once, with the default the code has."""
    text = (Path(__file__).resolve().parent.parent / "SECURITY.md").read_text()
    shown = {}
    for line in text.splitlines():
        if line.startswith("| `NNB_"):
            names, defaults = line.split("|")[1:3]
            for name, default in zip(
                re.findall(r"`NNB_(\w+)`", names), defaults.split("/"), strict=True
            ):
                shown[name.lower()] = default.strip().replace(",", "")
    limits = HostLimits()
    assert set(shown) == {field.name for field in fields(HostLimits)}
    for name, default in shown.items():
        if default.isdigit():
            assert int(default) == getattr(limits, name), name
        else:
            assert name == "max_concurrent_trainings" and default == "the number of cores"
