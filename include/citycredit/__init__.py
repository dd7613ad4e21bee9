"""citycredit: the data pipeline of a city public-credit center (市信用中心)."""

__version__ = "0.1.0"
