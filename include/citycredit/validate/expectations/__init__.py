"""citycredit's own GX expectations; importing this package registers them, so suite JSON can name them."""

from citycredit.validate.expectations import identifiers, rules, timeliness  # noqa: F401
