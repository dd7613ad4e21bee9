-- The reference pipelines' own tables and check-digit functions (tools/bench/reference.py), as a data engineer
-- without this project would write them: a typed target keyed on the natural key, an all-text staging table and
-- a findings table, and the GB check-character algorithms in PL/pgSQL.
CREATE TABLE ref_penalty (
    reported_on date NOT NULL,
    subject_key text NOT NULL,
    cf_xdr_mc text, cf_xdr_lb text, cf_xdr_shxym text, cf_xdr_gszc text, cf_xdr_zzjg text, cf_xdr_swdj text,
    cf_xdr_sydw text, cf_xdr_shzz text, cf_frdb text, cf_fr_zjlx text, cf_fr_zjhm text, cf_xdr_zjlx text,
    cf_xdr_zjhm text, cf_wsh text NOT NULL, cf_wfxw text, cf_sy text, cf_yj text, cf_cflb text, cf_nr text,
    cf_nr_fk numeric(18, 6), cf_nr_wfff numeric(18, 6), cf_nr_zkdx text, cf_jdrq date, cf_yxq date,
    cf_gsjzq date, cf_cfjg text, cf_cfjgdm text, cf_sjly text, cf_sjlydm text NOT NULL, cf_sjc timestamptz, bz text,
    PRIMARY KEY (cf_sjlydm, cf_wsh, subject_key)
);

CREATE UNLOGGED TABLE ref_staging (
    source_row bigint GENERATED ALWAYS AS IDENTITY,
    cf_xdr_mc text, cf_xdr_lb text, cf_xdr_shxym text, cf_xdr_gszc text, cf_xdr_zzjg text, cf_xdr_swdj text,
    cf_xdr_sydw text, cf_xdr_shzz text, cf_frdb text, cf_fr_zjlx text, cf_fr_zjhm text, cf_xdr_zjlx text,
    cf_xdr_zjhm text, cf_wsh text, cf_wfxw text, cf_sy text, cf_yj text, cf_cflb text, cf_nr text,
    cf_nr_fk text, cf_nr_wfff text, cf_nr_zkdx text, cf_jdrq text, cf_yxq text, cf_gsjzq text, cf_cfjg text,
    cf_cfjgdm text, cf_sjly text, cf_sjlydm text, cf_sjc text, bz text
);

CREATE TABLE ref_findings (rule_id text NOT NULL, severity text NOT NULL, source_row bigint NOT NULL);

-- GB 32100 mod-31 check over positions 1-17 and the GB 11714 check of the embedded 组织机构代码 (positions 9-17);
-- true for values of another shape (the format rule reports those) and for the placeholder.
CREATE FUNCTION ref_uscc_ok(code text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    alphabet constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
    weights constant int[] := '{1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28}';
    total int := 0;
BEGIN
    IF code IS NULL OR code = '00000000000000000X'
       OR code !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' THEN
        RETURN true;
    END IF;
    FOR i IN 1..17 LOOP
        total := total + (strpos(alphabet, substr(code, i, 1)) - 1) * weights[i];
    END LOOP;
    RETURN (31 - total % 31) % 31 = strpos(alphabet, substr(code, 18, 1)) - 1 AND ref_org_code_ok(substr(code, 9, 9));
END $$;

-- GB 11714 组织机构代码: 8 digits or capitals and the mod-11 check character; true for NULL.
CREATE FUNCTION ref_org_code_ok(code text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    weights constant int[] := '{3,7,9,10,5,8,4,2}';
    total int := 0;
    c int;
BEGIN
    IF code IS NULL THEN RETURN true; END IF;
    IF code !~ '^[0-9A-Z]{8}[0-9X]$' THEN RETURN false; END IF;
    FOR i IN 1..8 LOOP
        total := total + (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(code, i, 1)) - 1) * weights[i];
    END LOOP;
    c := 11 - total % 11;
    RETURN substr(code, 9, 1) = CASE c WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE c::text END;
END $$;

-- 居民身份证号码 (GB 11643): 18 characters with the mod-11 check and a birth date from 1900 to today, or the
-- legacy 15 digits with a 19YYMMDD birth date; true for NULL.
CREATE FUNCTION ref_id_card_ok(code text) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    weights constant int[] := '{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}';
    total int := 0;
    birth text;
BEGIN
    IF code IS NULL THEN RETURN true; END IF;
    IF code ~ '^[0-9]{17}[0-9Xx]$' THEN
        FOR i IN 1..17 LOOP
            total := total + substr(code, i, 1)::int * weights[i];
        END LOOP;
        IF upper(substr(code, 18, 1)) <> substr('10X98765432', total % 11 + 1, 1) THEN RETURN false; END IF;
        birth := substr(code, 7, 8);
    ELSIF code ~ '^[0-9]{15}$' THEN
        birth := '19' || substr(code, 7, 6);
    ELSE
        RETURN false;
    END IF;
    RETURN ref_date(substr(birth, 1, 4) || '-' || substr(birth, 5, 2) || '-' || substr(birth, 7, 2))
        BETWEEN '1900-01-01' AND current_date;
END $$;

-- 工商注册号: 15 digits, the last the GB/T 17710 MOD 11,10 check over the first 14; true for NULL.
CREATE FUNCTION ref_regno_ok(code text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    p int := 10;
    s int;
BEGIN
    IF code IS NULL THEN RETURN true; END IF;
    IF code !~ '^[0-9]{15}$' THEN RETURN false; END IF;
    FOR i IN 1..14 LOOP
        s := (p + substr(code, i, 1)::int) % 10;
        p := (CASE s WHEN 0 THEN 10 ELSE s END) * 2 % 11;
    END LOOP;
    RETURN (11 - p) % 10 = substr(code, 15, 1)::int;
END $$;

-- A real YYYY-MM-DD date, else NULL (a bad date is a finding, never an error that stops the run). One SQL
-- expression, which the planner inlines; a PL/pgSQL exception block would cost a subtransaction per row.
CREATE FUNCTION ref_date(value text) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
         AND substr(value, 1, 4) <> '0000'
         AND substr(value, 9, 2)::int <= extract(day FROM make_date(substr(value, 1, 4)::int,
                                                                     substr(value, 6, 2)::int, 1)
                                                 + interval '1 month - 1 day')
        THEN value::date
    END
$$;

-- An instant in the ISO form the format rule asks for, else NULL when it is no real instant.
CREATE FUNCTION ref_instant(value text) RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN value::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
