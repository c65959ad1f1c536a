"""One error boundary for page bodies, fragments and widget callbacks.

An unexpected exception never reaches Streamlit's own handler (its page says only "This
app has encountered an error"): the boundary logs the full traceback at ERROR with a short
reference and shows a plain sentence instead, while the sidebar and the navigation stay
usable. The app's own errors (``builder.errors.BuilderError``: DataError, SpecError,
TrainingError) are written for the user and are shown as they are.

Streamlit's control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) raises
``ScriptControlException``, a ``BaseException``: catching ``Exception`` lets it pass.
"""

import functools
import logging
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import FragmentHandledException

from builder.errors import BuilderError

LOGGER = logging.getLogger("nnb.errors")
# Errors raised by widget callbacks, shown by the next boundary that draws (callbacks run
# before the page, where nothing they draw would keep its place).
NOTICES = "boundary_notices"
MARKER = "Unexpected error, reference"


def _logger() -> logging.Logger:
    """The error logger, writing to the server's stderr unless logging is configured."""
    if not LOGGER.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOGGER.addHandler(handler)
    return LOGGER


def notice(error: Exception) -> str:
    """The sentence shown for ``error``; an unexpected one is logged with its reference."""
    if isinstance(error, BuilderError):
        return str(error)
    reference = secrets.token_hex(4)
    _logger().error("%s %s", MARKER, reference, exc_info=error)
    return (
        "Something went wrong here, and it is not something you did. Reload the page (F5) "
        "or go back to the page before and try again; if it happens again, report the "
        f"reference {reference} to whoever runs this app."
    )


def show_notices() -> None:
    """Show what widget callbacks could not do since the last page run."""
    for text in st.session_state.pop(NOTICES, []):
        st.error(text, icon=":material/error:")


@contextmanager
def guard(notices: bool = True) -> Iterator[None]:
    """Run a page body (or part of one) so that an exception becomes a plain message.

    Args:
        notices: first show the messages of failed widget callbacks (off for the sidebar).
    """
    try:
        if notices:
            show_notices()
        yield
    except FragmentHandledException:
        raise  # a fragment's own error, already shown by Streamlit's fragment wrapper
    except Exception as error:  # the boundary; control flow is a BaseException
        st.error(notice(error), icon=":material/error:")


def guarded(func: Callable) -> Callable:
    """Decorate a fragment's body: its errors are shown in its place (see ``guard``)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with guard():
            return func(*args, **kwargs)

    return run


def callback(func: Callable) -> Callable:
    """Wrap a widget callback: an error becomes a message at the top of the next page run.

    Callbacks run before the page script, outside any page boundary.
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as error:  # the boundary; control flow is a BaseException
            st.session_state.setdefault(NOTICES, []).append(notice(error))

    return run
