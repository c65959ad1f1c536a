"""Render deploy/nginx.conf for a set of replicas: `python -m deploy.nginx --help`.

Example, from the project folder: two replicas on this machine behind port 8080, nginx's
files in /srv/nnb-nginx:

    .venv/bin/python -m deploy.nginx --listen 0.0.0.0:8080 --prefix /srv/nnb-nginx \\
        --replica 127.0.0.1:8501 --replica 127.0.0.1:8502
    nginx -p /srv/nnb-nginx -c /srv/nnb-nginx/nginx.conf -e /srv/nnb-nginx/error.log

Replicas are named r1, r2, … in the routing cookie, in the order given.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

from builder.config import load_limits

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf")
MIME_TYPES = "/etc/nginx/mime.types"  # Debian's nginx package
FAIL_SECONDS = 10


def streamlit_static() -> Path:
    """The folder the installed Streamlit serves ``/static/…`` from (its ``static/static``
    holds the files, so it is the ``root`` for nginx's ``/static/``)."""
    return Path(importlib.util.find_spec("streamlit").origin).parent / "static"


def render(
    replicas: list[str],
    listen: str,
    prefix: Path,
    max_upload_mb: int,
    cookie_days: int,
    static_dir: Path | None = None,
    mime_types: str = MIME_TYPES,
    fail_seconds: int = FAIL_SECONDS,
) -> str:
    """The nginx configuration for these replicas.

    Args:
        replicas: each replica's ``host:port``.
        listen: nginx's ``host:port`` (or port).
        prefix: the folder for nginx's pid, logs and temporary files.
        max_upload_mb: the app's upload limit (``NNB_MAX_UPLOAD_MB``).
        cookie_days: how long the routing cookie lasts (``NNB_WORKSPACE_DAYS``).
        static_dir: Streamlit's static folder; the installed Streamlit's when None.
        mime_types: nginx's MIME types file.
        fail_seconds: how long a replica found down is skipped before nginx tries it again.

    Raises:
        ValueError: fewer than one replica, or a replica that is not ``host:port``.
    """
    if not replicas:
        raise ValueError("Give at least one replica as host:port.")
    for replica in replicas:
        if not re.fullmatch(r"[\w.-]+:\d+|\[[0-9a-fA-F:]+\]:\d+", replica):
            raise ValueError(f"A replica is host:port. Received: {replica!r}")
    names = [f"r{number}" for number in range(1, len(replicas) + 1)]
    upstreams = []
    for name, replica in zip(names, replicas, strict=True):
        # The zone shares the replica's failures among nginx's worker processes: without it
        # each worker learns on its own that the replica is down, and a request costs a retry.
        servers = [f"        zone nnb_{name} 64k;"]
        servers += [f"        server {replica} max_fails=1 fail_timeout={fail_seconds}s;"]
        servers += [f"        server {other} backup;" for other in replicas if other != replica]
        upstreams.append(f"    upstream nnb_{name} {{\n" + "\n".join(servers) + "\n    }")
    share = 100 / len(replicas)
    split = [f"        {share:.2f}% {name};" for name in names[:-1]] + [f"        * {names[-1]};"]
    fields = {
        "PREFIX": str(prefix),
        "MIME_TYPES": mime_types,
        "UPSTREAMS": "\n".join(upstreams),
        "SPLIT": "\n".join(split),
        "KNOWN": "\n".join(f"        {name} {name};" for name in names),
        "KNOWN_EMPTY": "\n".join(f'        {name} "";' for name in names),
        "COOKIE_SECONDS": str(cookie_days * 86400),
        "LISTEN": listen,
        "MAX_BODY_MB": str(max_upload_mb + 1),
        "STREAMLIT_STATIC": str(static_dir or streamlit_static()),
    }
    text = TEMPLATE.read_text()
    for field, value in fields.items():
        text = text.replace(f"@{field}@", value)
    return text


def main(argv: list[str] | None = None) -> None:
    """Write the configuration into the prefix folder, sized by the app's limits."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replica", action="append", required=True, help="host:port, repeated")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="nginx's host:port")
    parser.add_argument("--prefix", type=Path, required=True, help="nginx's own folder")
    parser.add_argument("--mime-types", default=MIME_TYPES)
    args = parser.parse_args(argv)
    limits = load_limits()
    try:
        text = render(
            args.replica,
            args.listen,
            args.prefix.resolve(),
            limits.max_upload_mb,
            limits.workspace_days,
            mime_types=args.mime_types,
        )
    except ValueError as error:
        parser.error(str(error))
    args.prefix.mkdir(parents=True, exist_ok=True)
    conf = args.prefix / "nginx.conf"
    conf.write_text(text)
    # -e: without it nginx first opens its packaged error log, which a user cannot write.
    prefix = args.prefix.resolve()
    print(f"nginx -p {prefix} -c {conf.resolve()} -e {prefix / 'error.log'}")


if __name__ == "__main__":
    main()
