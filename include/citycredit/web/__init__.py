"""The web front door (docs/web.md): the 公共信用信息报告, the 联合奖惩 核查 (pages and the JSON API) and the
department self-check, behind accounts with roles, sessions, CSRF tokens and an audit log, served by uvicorn.

An outer layer like ``cli`` and ``tasks``: it may import every stage, and no stage imports it. One concern per
module: ``settings`` (limits from the environment), ``accounts`` (users, passwords, sessions, tokens), ``audit``,
``auth`` (who is asking, and may they), ``uploads``, ``pages`` (templates and headers), ``app`` (the FastAPI
application), and the routes: ``login_routes``, ``report_routes``, ``list_check_routes``, ``check_routes``,
``audit_routes``; the API's pydantic models in ``api_models``; ``server`` runs uvicorn.
"""
