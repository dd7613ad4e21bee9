-- The annual assessment of 平信用办〔2020〕8号 ("每年2月底前完成上年度的考核工作"): each department's items for a year,
-- rolled up from the monthly scorecard (include/config/scorecard.yaml, after `rules`). rollup: months (points ×
-- months earned / 12), best (the best month), manual (the year's hand-entered score). months_earned / months_scored:
-- the months of the year whose monthly score earned full points / that the monthly scorecard scored at all.
CREATE TABLE mart.scorecard_annual_items (
    year           integer NOT NULL,
    department_id  text    NOT NULL,
    annex          text    NOT NULL,
    item_id        text    NOT NULL,
    item           text    NOT NULL,
    max_points     numeric NOT NULL,
    points         numeric,
    basis          text    NOT NULL CHECK (basis IN ('data', 'manual', 'missing')),
    rollup         text    NOT NULL CHECK (rollup IN ('months', 'best', 'manual')),
    months_earned  integer,
    months_scored  integer,
    note           text,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, department_id, item_id),
    CHECK (points IS NULL OR points BETWEEN 0 AND max_points)
);

-- The year's total per department: 附加分 capped, a grade once no item is missing; months_scored: the months of the
-- year the monthly scorecard holds for the department (12 when nothing was skipped).
CREATE TABLE mart.scorecard_annual_totals (
    year           integer NOT NULL,
    department_id  text    NOT NULL,
    annex          text    NOT NULL,
    points         numeric NOT NULL,
    max_points     numeric NOT NULL,
    items_missing  integer NOT NULL,
    grade          text,
    months_scored  integer NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, department_id)
);
