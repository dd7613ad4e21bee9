"""Stage 3, validate: every staged row checked by the Great Expectations suites of expectations/ (``suites``), with
the project's own expectations (``expectations``), the official working-day calendar (``workdays``) and the
department's self-check of a file without a warehouse (``selfcheck``)."""
