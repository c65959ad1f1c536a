"""Judging a trained run from the plain numbers a worker returned: metrics, baselines, verdicts, traces."""
