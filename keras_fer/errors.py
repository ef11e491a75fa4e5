"""The error types keras-fer raises for what a user can fix (the CLI prints them as one line).

Example:
    >>> issubclass(ConfigError, KerasFerError) and issubclass(ConfigError, ValueError)
    True
"""


class KerasFerError(Exception):
    """Base of keras-fer's own errors: something the user asked for or gave that cannot be done."""


class ConfigError(KerasFerError, ValueError):
    """An argument or setting out of range or unknown (a `ValueError` too, as it was before it had its own
    type)."""
