"""citycredit's own GX expectations; importing this package registers them, so suite JSON can name them."""

from citycredit.validate.expectations import (  # noqa: F401
    bounds,
    codes,
    dates,
    identifiers,
    natural_keys,
    penalties,
    timeliness,
)
