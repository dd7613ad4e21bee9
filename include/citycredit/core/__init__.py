"""What every stage stands on: paths and configuration, the city's time zone, the warehouse and its migrations,
COPY in and out, each dataset's column roles, identifier check digits, calendar months, 身份证 masking, and the
local Airflow environment. It imports no stage."""
