-- Operators signed in to the Airflow UI use the web front door mounted in the api-server without a password of
-- ours: each is the web user 'airflow:<Airflow user name>' (web/airflow_mount.py), with no password hash and no
-- way to sign in at /login; `citycredit web user add` refuses such names.
DO $$
DECLARE
    found text;
BEGIN
    SELECT conname INTO STRICT found FROM pg_constraint
    WHERE conrelid = 'web.users'::regclass AND contype = 'c'
      AND position('password_hash' IN pg_get_constraintdef(oid)) > 0;
    EXECUTE 'ALTER TABLE web.users DROP CONSTRAINT ' || quote_ident(found);
END
$$;
ALTER TABLE web.users ADD CONSTRAINT users_sign_in CHECK (
    role = 'api' OR password_hash IS NOT NULL OR (starts_with(name, 'airflow:') AND role IN ('staff', 'admin'))
);
