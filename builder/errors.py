"""The app's own exception types, each carrying a plain-language message for the user."""


class BuilderError(Exception):
    """Base class: the message is written for the person using the app."""


class DataError(BuilderError):
    """A file or table cannot be used: what is wrong and what to do about it."""


class SpecError(BuilderError):
    """An experiment description holds a value that is not allowed."""


class TrainingError(BuilderError):
    """A training, prediction or export job could not finish."""
