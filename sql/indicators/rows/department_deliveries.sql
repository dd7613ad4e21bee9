-- Every delivery (new, duplicate or unreadable: each one shows the department sent something) of the month and of
-- the :previous_months months before it, with the month it belongs to (the city's time zone :tz).
-- Role columns: before_month (in the window before this month), this_month.
SELECT d.department_id, d.dataset, d.delivery_id, d.source_name, d.sha256, d.outcome, d.batch_id, d.received_at,
       (date_trunc('month', d.received_at AT TIME ZONE :tz))::date AS month,
       d.received_at < :start AS before_month,
       d.received_at >= :start AS this_month
FROM landing.deliveries d
WHERE d.received_at >= :previous_start AND d.received_at < :end
