-- 异议 handling steps with a limit of one working day (济信用办〔2020〕14号 item 三十六): the day 市发改委 sent the case
-- to the 信息来源单位 (转办日期), the day that unit answered in writing (核实反馈日期) and the day 市发改委 replied
-- upward (复函日期). All optional: older feeds do not have them.
ALTER TABLE staging.objection_rows ADD COLUMN yy_zbrq text, ADD COLUMN yy_hsrq text, ADD COLUMN yy_hfrq text;
ALTER TABLE core.objection ADD COLUMN yy_zbrq date, ADD COLUMN yy_hsrq date, ADD COLUMN yy_hfrq date;

-- A record's content hash covers every field of the dataset in include/config/fields.yaml order (load/merge.py);
-- with three more fields, stored versions get the hash an unchanged re-delivery will now compute, so it stays a
-- duplicate rather than a new version.
UPDATE core.objection
SET content_hash = md5(ROW(yy_bh, yy_zt_mc, yy_shxym, yy_zjhm, yy_xxlx, yy_xxbh, yy_xxly, yy_slrq::text,
                           yy_bjrq::text, yy_jg, NULL::text, NULL::text, NULL::text, bz)::text);

-- Working days after `after` (not counted) up to and including `through`, on the official calendar passed in
-- (citycredit.validate.workdays: weekdays that are not holidays, plus the 调休 weekend working days). One
-- definition for every indicator that counts working days in SQL.
CREATE FUNCTION mart.working_days_after(after date, through date, holidays date[], makeup_workdays date[])
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT count(*)::integer
    FROM generate_series((after + 1)::timestamp, through::timestamp, interval '1 day') AS g(d)
    WHERE (extract(isodow FROM g.d) < 6 AND g.d::date <> ALL(holidays)) OR g.d::date = ANY(makeup_workdays)
$$;

-- Whether the calendar (the years it knows) covers every day after `after` up to `through`: a count over a year it
-- does not know is indeterminate, never taken as on time (docs/architecture.md invariant 4).
CREATE FUNCTION mart.calendar_covers(after date, through date, calendar_years integer[])
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM generate_series(extract(year FROM after + 1)::integer,
                                                     extract(year FROM through)::integer) AS y(year)
                       WHERE y.year <> ALL(calendar_years))
$$;
