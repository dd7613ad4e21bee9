-- The deadline watch checks several deadlines a month (citycredit.indicators.deadlines): the data by the 20th, the
-- 联合奖惩 and city cases by the 25th, the 联合奖惩 feedback by the 30th. One check per month and deadline; the checks
-- recorded before are those of the data deadline.
ALTER TABLE mart.deadline_alerts ADD COLUMN kind text NOT NULL DEFAULT 'data';
ALTER TABLE mart.deadline_alerts ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE mart.deadline_alerts DROP CONSTRAINT deadline_alerts_pkey;
ALTER TABLE mart.deadline_alerts ADD PRIMARY KEY (month, kind);
