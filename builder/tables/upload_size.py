"""One upload's files together against the host's cap (``max_upload_total_mb``).

Streamlit checks each file against ``server.maxUploadSize`` alone, so six files just
under it arrive as one upload six times as big: the reading and the table it makes
grow with the sum.
"""

from __future__ import annotations

from builder.config import HostLimits
from builder.errors import DataError

MB = 1024 * 1024


def check_total(sizes: list[int], limits: HostLimits) -> None:
    """Refuse files that together pass ``limits.max_upload_total_mb``.

    Args:
        sizes: each file's size in bytes, before any is read.
        limits: the caps in force.

    Raises:
        DataError: the files are too big together, saying by how much and what to do.
    """
    total, cap = sum(sizes), limits.max_upload_total_mb
    if total > cap * MB:
        size = f"{total / MB:.1f} MB"
        files = (
            f"This file takes {size}"
            if len(sizes) == 1
            else f"These {len(sizes)} files take {size} together"
        )
        raise DataError(
            f"{files}; this server reads at most {cap} MB in one upload. "
            "Upload fewer or smaller files."
        )
