"""Stage 2, normalize: a landed batch's file read into raw text cells (``readers``), mapped to the canonical columns
of fields.yaml and cleaned (``standardize``), and written to its staging table (``staging``), still as text."""
