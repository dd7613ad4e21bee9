"""citycredit's own GX expectations; importing this package registers them, so suite JSON can name them."""

from citycredit.validate.expectations import codes, dates, identifiers, natural_keys, penalties, timeliness  # noqa: F401
