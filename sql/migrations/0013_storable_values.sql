-- Whether a text value can be cast to a SQL type (e.g. 'numeric(18,6)', 'date'): false where PostgreSQL raises a
-- data exception (out of range, overflow, bad format). The load calls it only after an insert into core failed
-- with such an error, to find the rows to quarantine (issue #18): a batch never fails for one row. Not used on the
-- normal path, since entering the exception block costs a subtransaction per call.
CREATE FUNCTION quality.storable(value text, sql_type text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF value IS NULL THEN
        RETURN true;
    END IF;
    EXECUTE 'SELECT CAST(' || quote_literal(value) || ' AS ' || sql_type || ')';
    RETURN true;
EXCEPTION WHEN data_exception THEN
    RETURN false;
END
$$;
