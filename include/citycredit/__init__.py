"""citycredit: the data pipeline of a city public-credit center (市信用中心).

The package follows the data, one subpackage per stage, each importing only itself, the stages before it and
``core`` (docs/architecture.md): ``feeds`` (deliveries land) → ``normalize`` (to the national standard's columns)
→ ``validate`` (the rule suites) → ``load`` (into the warehouse) → ``indicators`` (the monthly figures) →
``publish`` (reports, feedback, the provincial export). ``tasks`` holds the bodies of the DAGs' tasks, ``cli`` the
``citycredit`` command, ``tools`` the sample-data generator and the bench.
"""

__version__ = "0.1.0"
