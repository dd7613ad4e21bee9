"""The suites' rules without Great Expectations: what each expectation type requires of a row (``conditions``, the
one implementation of our own rules, which the GX expectations of citycredit.validate.expectations call), the
column values they read (``values``) and a suite's expectations evaluated with GX's meaning (``evaluate``).
Nothing in this package imports great_expectations."""
