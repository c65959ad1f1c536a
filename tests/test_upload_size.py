"""One upload's files together against the host's cap."""

import pytest

from builder.config import HostLimits, load_limits
from builder.errors import DataError
from builder.tables.upload_size import MB, check_total


def test_files_under_the_cap_together_pass_and_over_it_are_refused_with_the_cap_named():
    limits = HostLimits(max_upload_mb=50, max_upload_total_mb=100)
    check_total([45 * MB, 55 * MB], limits)  # exactly 100 MB
    with pytest.raises(DataError, match=r"These 6 files take 270\.0 MB together; .* 100 MB in"):
        check_total([45 * MB] * 6, limits)
    with pytest.raises(
        DataError, match=r"This file takes 2\.0 MB; this server reads at most 1 MB in one"
    ):
        check_total([2 * MB], HostLimits(max_upload_total_mb=1))


def test_the_cap_and_the_class_count_come_from_the_environment():
    limits = load_limits({"NNB_MAX_UPLOAD_TOTAL_MB": "300", "NNB_CLASSES_PER_BROWSER": "5"})
    assert (limits.max_upload_total_mb, limits.classes_per_browser) == (300, 5)
    assert (HostLimits().max_upload_total_mb, HostLimits().classes_per_browser) == (100, 3)
