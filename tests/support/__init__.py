"""Helpers the tests share: rows written straight into the warehouse, a department API, deliveries."""
