"""The provincial export: outbox files checked field by field, and the HTTP push against a real local server
playing the provincial API (accepts, rejects records, fails with 5xx, times out), with re-runs and crashes."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import shutil
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from pytest_httpserver import HTTPServer
from support.staged_batches import DEPT_CODE, LICENSE_RECORD
from werkzeug import Request, Response

from citycredit import cli
from citycredit.core import paths
from citycredit.core.config import ConfigError
from citycredit.load import merge
from citycredit.publish import province_push
from citycredit.publish.export_format import load_exclusions, load_profile
from citycredit.publish.outbox import export_outbox

pytestmark = pytest.mark.db

DEPT = DEPT_CODE
PERSON_ID = "410402199001011234"
MASKED_ID = "4104**********1234"
AS_OF = date(2025, 10, 1)
API_PATH = "/api/shuanggongshi/records"
DATA = Path(__file__).parents[1] / "data" / "export"

COMPANY = {
    "cf_xdr_mc": "平顶山市示例商贸有限公司",
    "cf_xdr_lb": "法人及非法人组织",
    "cf_xdr_shxym": "914403001922038216",
    "cf_frdb": "赵一",
    "cf_wsh": "平市监罚〔2025〕1号",
    "cf_wfxw": "经营超过保质期的食品",
    "cf_sy": "当事人经营超过保质期的食品。",
    "cf_yj": "《中华人民共和国食品安全法》第一百二十四条",
    "cf_cflb": "警告;罚款",
    "cf_nr": "警告，罚款2000元",
    "cf_nr_fk": "0.2",
    "cf_jdrq": "2025-09-01",
    "cf_yxq": "2025-09-08",
    "cf_gsjzq": "2026-03-01",
    "cf_cfjg": "平顶山市市场监督管理局",
    "cf_cfjgdm": DEPT,
    "cf_sjly": "平顶山市市场监督管理局",
    "cf_sjlydm": DEPT,
}
PERSON = {
    **COMPANY,
    "cf_xdr_mc": "王五",
    "cf_xdr_lb": "自然人",
    "cf_xdr_shxym": None,
    "cf_frdb": None,
    "cf_xdr_zjlx": "身份证",
    "cf_xdr_zjhm": PERSON_ID,
    "cf_wsh": "平市监罚〔2025〕2号",
    "cf_sy": f"当事人王五（身份证号{PERSON_ID}）无证经营。",
    "cf_cflb": "罚款",
    "cf_nr": "罚款1000元",
    "cf_nr_fk": "0.1",
    "cf_gsjzq": "2026-09-01",
}
RED_LIGHT = {**COMPANY, "cf_wsh": "平公交罚〔2025〕3号", "cf_wfxw": "驾驶机动车闯红灯", "cf_nr": "罚款200元"}
EXPIRED = {**COMPANY, "cf_wsh": "平市监罚〔2025〕4号", "cf_jdrq": "2025-03-01", "cf_gsjzq": "2025-09-30"}
LICENSE = LICENSE_RECORD


def load_rows(engine, dataset: str, rows: list[dict], sha: str) -> None:
    """Stage rows as one validated batch without findings and load them into core."""
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) VALUES ('scjg', :feed, :dataset, 'x.csv', :sha, 1,"
                " '/dev/null', :t, (CAST(:t AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date, 'validated')"
                " RETURNING batch_id"
            ),
            {"feed": f"scjg_{dataset}", "dataset": dataset, "sha": sha, "t": datetime(2025, 9, 5, tzinfo=UTC)},
        ).scalar()
        for source_row, values in enumerate(rows, start=2):
            cols = ["batch_id", "source_row", "reported_on", *values]
            conn.execute(
                sa.text(
                    f"INSERT INTO staging.{dataset}_rows ({', '.join(cols)})"
                    f" VALUES ({', '.join(':' + c for c in cols)})"
                ),
                {"batch_id": batch_id, "source_row": source_row, "reported_on": "2025-09-05", **values},
            )
    merge.load_batch(engine, batch_id)


def record_ids(engine, dataset: str) -> dict[str, int]:
    """Current record id by 文书号."""
    doc = {"penalty": "cf_wsh", "license": "xk_wsh"}[dataset]
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(f"SELECT {doc}, record_id FROM core.{dataset} WHERE is_current")).all())


def profile_with(**api):
    profile = load_profile()
    return dataclasses.replace(profile, api=dataclasses.replace(profile.api, **api))


def read_csv(path, encoding="utf-8") -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


# --- outbox files ----------------------------------------------------------------------------------------------


def test_outbox_files_carry_publishable_records_masked_with_a_manifest_and_a_rerun_writes_nothing(engine):
    load_rows(engine, "penalty", [COMPANY, PERSON, RED_LIGHT, EXPIRED], sha="p")
    load_rows(
        engine,
        "license",
        [
            LICENSE,
            {**LICENSE, "xk_wsh": "平市监许〔2025〕2号", "xk_yxqzi": "2025-09-30"},  # expired
            {**LICENSE, "xk_wsh": "平市监许〔2025〕3号", "xk_zt": "2"},  # 无效
        ],
        sha="l",
    )
    ids = record_ids(engine, "penalty")
    lic = record_ids(engine, "license")

    [batch] = export_outbox(engine, AS_OF)

    assert batch.counts == {"license": {"add": 1}, "penalty": {"add": 2}}
    assert batch.held_back == 1
    assert batch.held_back_reasons == {"未经立法程序不得纳入信用记录：闯红灯": 1}
    outbox = paths.data_path("outbox")
    b = batch.batch_id
    names = sorted(p.name for p in outbox.iterdir())
    assert names == sorted(
        [
            f"410400_CF_20251001_{b}.csv",
            f"410400_CF_20251001_{b}.json",
            f"410400_XK_20251001_{b}.csv",
            f"410400_XK_20251001_{b}.json",
            f"410400_20251001_{b}_manifest.json",
        ]
    )
    penalties = read_csv(outbox / f"410400_CF_20251001_{b}.csv")
    assert list(penalties[0]) == ["SJID", "CZLX", *load_profile().datasets["penalty"].columns.values()]
    by_doc = {r["CF_WSH"]: r for r in penalties}
    assert set(by_doc) == {COMPANY["cf_wsh"], PERSON["cf_wsh"]}
    company, person = by_doc[COMPANY["cf_wsh"]], by_doc[PERSON["cf_wsh"]]
    assert company["SJID"] == f"410400-CF-{ids[COMPANY['cf_wsh']]}-add"
    assert company["CZLX"] == "I"
    assert company["CF_XDR_MC"] == "平顶山市示例商贸有限公司"
    assert company["CF_XDR_SHXYM"] == "914403001922038216"
    assert company["CF_CFLB"] == "警告;罚款"
    assert company["CF_NR_FK"] == "0.2"
    assert company["CF_NR_WFFF"] == ""
    assert (company["CF_JDRQ"], company["CF_YXQ"], company["CF_GSJZQ"]) == ("2025-09-01", "2025-09-08", "2026-03-01")
    assert company["CF_SJLYDM"] == DEPT
    assert person["CF_XDR_LB"] == "自然人"
    assert person["CF_XDR_ZJLX"] == "身份证"
    assert person["CF_XDR_ZJHM"] == MASKED_ID
    assert person["CF_SY"] == f"当事人王五（身份证号{MASKED_ID}）无证经营。"
    assert person["CF_NR_FK"] == "0.1"
    licenses = read_csv(outbox / f"410400_XK_20251001_{b}.csv")
    assert [(r["SJID"], r["XK_WSH"], r["XK_YXQZI"], r["XK_ZT"]) for r in licenses] == [
        (f"410400-XK-{lic[LICENSE['xk_wsh']]}-add", LICENSE["xk_wsh"], "2030-08-31", "1")
    ]
    # The JSON file holds the same records as the CSV file.
    document = json.loads((outbox / f"410400_CF_20251001_{b}.json").read_text(encoding="utf-8"))
    assert (document["sender"], document["dataset"], document["as_of"]) == ("410400", "CF", "2025-10-01")
    assert [{k: v or "" for k, v in r.items()} for r in document["records"]] == penalties
    # The manifest: counts, held back with reasons, and each file's sha256.
    manifest = json.loads((outbox / f"410400_20251001_{b}_manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"license": {"add": 1}, "penalty": {"add": 2}}
    assert manifest["held_back"] == 1 and manifest["held_back_reasons"] == batch.held_back_reasons
    assert len(manifest["files"]) == 4
    for entry in manifest["files"]:
        data = (outbox / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["records"] == {"CF": 2, "XK": 1}[entry["dataset"]]
    # Full ID numbers stay in the warehouse core: not in the files, not in the export schema.
    for path in outbox.iterdir():
        assert PERSON_ID not in path.read_text(encoding="utf-8")
    with engine.connect() as conn:
        leaks = conn.execute(
            sa.text("SELECT count(*) FROM export.items i WHERE i::text LIKE :p"), {"p": f"%{PERSON_ID}%"}
        )
        assert leaks.scalar() == 0

    before = {p.name: p.read_bytes() for p in outbox.iterdir()}
    assert export_outbox(engine, AS_OF) == []
    assert {p.name: p.read_bytes() for p in outbox.iterdir()} == before
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM export.batches")).scalars().all() == ["completed"]


def test_the_exchange_format_comes_from_the_profile(engine, tmp_path):
    raw = yaml.safe_load((paths.CONFIG_DIR / "export.yaml").read_text(encoding="utf-8"))
    province = raw["profiles"]["default"]
    province.update(encoding="gb18030", date_format="%Y/%m/%d", action_codes={"add": 1, "update": 2, "withdraw": 3})
    province["files"]["data"] = "SGS_{dataset}_{batch}"
    province["datasets"]["penalty"]["code_values"] = {
        "cf_xdr_lb": {"法人及非法人组织": "1", "自然人": "2"},
        "cf_cflb": {"警告": "01", "罚款": "02"},
    }
    raw["profiles"] = {"gb": province}
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    profile = load_profile("gb", directory=tmp_path)
    load_rows(engine, "penalty", [COMPANY, PERSON], sha="p")

    [batch] = export_outbox(engine, AS_OF, profile=profile)

    rows = read_csv(paths.data_path("outbox") / f"SGS_CF_{batch.batch_id}.csv", encoding="gb18030")
    got = {r["CF_WSH"]: (r["CZLX"], r["CF_XDR_LB"], r["CF_CFLB"], r["CF_JDRQ"], r["CF_XDR_MC"]) for r in rows}
    assert got == {
        COMPANY["cf_wsh"]: ("1", "1", "01;02", "2025/09/01", "平顶山市示例商贸有限公司"),
        PERSON["cf_wsh"]: ("1", "2", "02", "2025/09/01", "王五"),
    }


# --- the provincial API ----------------------------------------------------------------------------------------


class Province:
    """The provincial API as export_push documents it: dedupes on the Idempotency-Key, rejects listed ids.

    `script` lists what the next requests meet: "503", "timeout" (the chunk is applied, the answer comes too late),
    "400" or "proxy page" (a 200 that is no receipt); afterwards requests are answered normally.
    """

    def __init__(self, reject: dict[str, str] | None = None, delay: float = 1.5):
        self.reject = reject or {}
        self.delay = delay
        self.script: list[str] = []
        self.keys: list[str] = []  # every request's Idempotency-Key, in order
        self.receipts: dict[str, dict] = {}
        self.applied: list[tuple[str, str, str]] = []  # (record id, action, 文书号) applied, in order
        self.auth: list[tuple[str, str] | None] = []
        self.lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self.lock:
            step = self.script.pop(0) if self.script else "ok"
            response = self.answer(request, step)
        if step == "timeout":
            time.sleep(self.delay)
        return response

    def answer(self, request: Request, step: str) -> Response:
        key = request.headers["Idempotency-Key"]
        self.keys.append(key)
        credentials = request.authorization
        self.auth.append((credentials.username, credentials.password) if credentials else None)
        if step in ("503", "400"):
            return Response("服务暂不可用" if step == "503" else "格式错误", status=int(step))
        if step == "proxy page":
            return Response("<html>网关维护</html>", status=200, content_type="text/html")
        if key not in self.receipts:
            body = json.loads(request.get_data())
            rejected = [
                {"id": r["id"], "reason": self.reject[r["id"]]} for r in body["records"] if r["id"] in self.reject
            ]
            for r in body["records"]:
                if r["id"] not in self.reject:
                    doc = r["data"].get("CF_WSH") or r["data"].get("XK_WSH") or r["data"].get("MD_ZT_MC")
                    self.applied.append((r["id"], r["action"], doc))
            self.receipts[key] = {"receipt": f"R-{len(self.receipts) + 1}", "rejected": rejected}
        return Response(json.dumps(self.receipts[key]), status=200, content_type="application/json")

    def actions(self) -> list[tuple[str, str]]:
        return [(action, doc) for _, action, doc in self.applied]


@pytest.fixture
def httpserver():
    """A threaded server: a request that waits out a timeout must not hold up the client's retry."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def province(httpserver):
    fake = Province()
    httpserver.expect_request(API_PATH, method="POST").respond_with_handler(fake.handle)
    return fake


@pytest.fixture
def endpoint(httpserver):
    return province_push.Endpoint.from_url(httpserver.url_for("/").replace("http://", "http://city:s3cret@"))


def push(engine, endpoint, as_of=AS_OF, sleeps=None, **api):
    # A read timeout far above any answer's time on a loaded CI machine: an answer that came in 0.6 s once counted
    # as a timeout and was sent again. The test of timeouts sets its own, below the province's delay.
    profile = profile_with(**{"chunk_size": 500, "read_timeout": 10.0, "attempts": 3, "backoff": 1.0, **api})
    return province_push.push_to_province(
        engine, as_of, profile=profile, exclusions=load_exclusions(), endpoint=endpoint,
        sleep=(sleeps if sleeps is not None else []).append,
    )  # fmt: skip


def item_states(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT dataset, action, status, province_reason FROM export.items ORDER BY item_id")
        ).all()


def test_the_push_sends_adds_then_a_correction_as_update_and_an_ended_window_as_withdrawal(engine, province, endpoint):
    load_rows(engine, "penalty", [COMPANY, PERSON, RED_LIGHT], sha="p1")

    [first] = push(engine, endpoint)

    assert first.status == "completed" and first.counts == {"penalty": {"add": 2}}
    assert first.held_back_reasons == {"未经立法程序不得纳入信用记录：闯红灯": 1}
    assert province.actions() == [("I", COMPANY["cf_wsh"]), ("I", PERSON["cf_wsh"])]
    assert province.auth == [("city", "s3cret")]
    assert [r["receipt"] for r in first.receipts] == [{"receipt": "R-1", "rejected": []}]
    assert push(engine, endpoint) == [] and len(province.keys) == 1  # a re-run sends nothing

    # A corrected company record goes as an update; the person's record corrected into an excluded category
    # (垃圾分类) is withdrawn with the category as reason.
    load_rows(
        engine,
        "penalty",
        [{**COMPANY, "cf_nr": "警告，罚款2000元（更正）"}, {**PERSON, "cf_wfxw": "未执行垃圾分类"}],
        sha="p2",
    )
    [second] = push(engine, endpoint)
    assert second.counts == {"penalty": {"update": 1, "withdraw": 1}}
    assert province.actions()[2:] == [("U", COMPANY["cf_wsh"]), ("D", PERSON["cf_wsh"])]
    with engine.connect() as conn:
        reason = conn.execute(sa.text("SELECT reason FROM export.items WHERE action = 'withdraw'")).scalar()
    assert reason == "未经立法程序不得纳入信用记录：未执行垃圾分类"

    # The day after its 公示截止期 the company's record is withdrawn; the held-back one is never sent.
    [third] = push(engine, endpoint, as_of=date(2026, 3, 2))
    assert third.counts == {"penalty": {"withdraw": 1}} and third.held_back == 0
    assert province.actions()[4:] == [("D", COMPANY["cf_wsh"])]
    assert push(engine, endpoint, as_of=date(2026, 3, 2)) == []
    assert len(province.keys) == 3


def test_records_the_province_rejects_keep_its_reason_and_are_not_sent_again(engine, province, endpoint):
    load_rows(engine, "penalty", [COMPANY, PERSON], sha="p")
    person_item = f"410400-CF-{record_ids(engine, 'penalty')[PERSON['cf_wsh']]}-add"
    province.reject = {person_item: f"证件号码{PERSON_ID}与姓名不匹配"}

    [batch] = push(engine, endpoint)

    assert batch.status == "completed" and batch.rejected == 1
    assert item_states(engine) == [
        ("penalty", "add", "accepted", None),
        ("penalty", "add", "rejected", f"证件号码{MASKED_ID}与姓名不匹配"),  # stored masked
    ]
    assert push(engine, endpoint) == [] and len(province.keys) == 1


def test_5xx_and_timeouts_are_retried_with_backoff_and_the_chunk_is_applied_once(engine, province, endpoint):
    load_rows(engine, "penalty", [COMPANY, PERSON], sha="p")
    province.script = ["503", "timeout"]
    province.delay = 4.0
    sleeps = []

    [batch] = push(engine, endpoint, sleeps=sleeps, read_timeout=1.0)

    assert batch.status == "completed"
    assert sleeps == [1.0, 2.0]
    assert len(province.keys) == 3 and len(set(province.keys)) == 1  # one chunk, sent three times
    assert sorted(province.actions()) == sorted([("I", COMPANY["cf_wsh"]), ("I", PERSON["cf_wsh"])])
    [chunk] = batch.receipts
    assert (chunk["attempts"], chunk["status"], chunk["receipt"]) == (
        3,
        "acknowledged",
        province.receipts[chunk["idempotency_key"]],
    )


def test_a_push_that_keeps_failing_stops_and_the_next_run_resumes_without_gaps_or_duplicates(
    engine, province, endpoint
):
    docs = [f"平市监罚〔2025〕{n}号" for n in range(10, 13)]
    load_rows(engine, "penalty", [{**COMPANY, "cf_wsh": d} for d in docs], sha="p1")
    province.script = ["ok", "503", "503", "503"]

    with pytest.raises(province_push.PushFailed, match="HTTP 503"):
        push(engine, endpoint, chunk_size=1)

    with engine.connect() as conn:
        status, error = conn.execute(sa.text("SELECT status, last_error FROM export.batches")).one()
        chunks = conn.execute(sa.text("SELECT chunk_no, status, attempts FROM export.chunks ORDER BY 1")).all()
    assert status == "failed" and "第 2 块" in error and "HTTP 503" in error
    assert chunks == [(1, "acknowledged", 1), (2, "pending", 3), (3, "pending", 0)]
    assert province.actions() == [("I", docs[0])]

    # A record loaded meanwhile goes in a new batch, after the failed one is finished.
    load_rows(engine, "penalty", [{**COMPANY, "cf_wsh": "平市监罚〔2025〕13号"}], sha="p2")
    reports = push(engine, endpoint, chunk_size=1)

    assert [r.status for r in reports] == ["completed", "completed"]
    assert reports[0].counts == {"penalty": {"add": 3}} and reports[1].counts == {"penalty": {"add": 1}}
    assert province.actions() == [("I", d) for d in [*docs, "平市监罚〔2025〕13号"]]
    assert len(province.applied) == len({a[0] for a in province.applied}) == 4


def test_a_crash_between_sending_and_recording_resends_the_same_chunk_and_the_province_dedupes(
    engine, province, endpoint, monkeypatch
):
    docs = [f"平市监罚〔2025〕{n}号" for n in range(20, 24)]
    load_rows(engine, "penalty", [{**COMPANY, "cf_wsh": d} for d in docs], sha="p")
    record = province_push.record_receipt

    def crash_on_second_chunk(engine, batch_id, chunk_no, receipt, attempts):
        if chunk_no == 2:
            raise KeyboardInterrupt("the worker was killed")
        return record(engine, batch_id, chunk_no, receipt, attempts)

    monkeypatch.setattr(province_push, "record_receipt", crash_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        push(engine, endpoint, chunk_size=2)
    assert province.actions() == [("I", d) for d in docs]  # the province got both chunks

    monkeypatch.setattr(province_push, "record_receipt", record)
    [batch] = push(engine, endpoint, chunk_size=2)

    assert batch.status == "completed" and batch.counts == {"penalty": {"add": 4}}
    key1, key2 = (r["idempotency_key"] for r in batch.receipts)
    assert province.keys == [key1, key2, key2]
    assert province.actions() == [("I", d) for d in docs]  # nothing applied twice, nothing missing
    assert [s for *_, s, _ in item_states(engine)] == ["accepted"] * 4


@pytest.mark.parametrize(("step", "message"), [("400", "HTTP 400"), ("proxy page", "不是有效回执")])
def test_an_answer_that_is_not_transient_fails_at_once_and_a_later_run_delivers(
    engine, province, endpoint, step, message
):
    load_rows(engine, "penalty", [COMPANY], sha="p")
    province.script = [step]
    sleeps = []
    with pytest.raises(province_push.PushFailed, match=message):
        push(engine, endpoint, sleeps=sleeps)
    assert sleeps == [] and len(province.keys) == 1 and province.applied == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status, attempts FROM export.chunks")).one() == ("pending", 1)

    [batch] = push(engine, endpoint)
    assert batch.status == "completed" and province.actions() == [("I", COMPANY["cf_wsh"])]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("unknown_column.yaml", "cf_wsh_no"),
        ("missing_withdraw_code.yaml", "withdraw"),
        ("window_months_missing.yaml", r"when_empty\.months"),
    ],
)
def test_a_profile_with_a_mistake_is_refused_naming_the_key(tmp_path, fixture, message):
    shutil.copy(DATA / fixture, tmp_path / "export.yaml")
    with pytest.raises(ConfigError, match=message):
        load_profile(directory=tmp_path)


def test_the_endpoint_comes_from_the_environment_and_hides_its_password(monkeypatch):
    monkeypatch.delenv(province_push.URL_ENV, raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_CITYCREDIT_PROVINCE", raising=False)
    with pytest.raises(province_push.NotConfigured, match="citycredit_province"):
        province_push.resolve_endpoint()
    monkeypatch.setenv(province_push.URL_ENV, "https://city%40pds:p%2Fw@credit.example:8443/gateway/")
    endpoint = province_push.resolve_endpoint()
    assert endpoint.base_url == "https://credit.example:8443/gateway"
    assert endpoint.auth == ("city@pds", "p/w")
    assert "p/w" not in endpoint.describe() and "p%2Fw" not in endpoint.describe()


# --- credit lists, the command, the DAG ------------------------------------------------------------------------


def add_listing(engine, removed_on: str | None, version: int, supersedes: int | None = None) -> int:
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) VALUES ('scjg', 'scjg_list', 'credit_list', 'l.csv',"
                " :sha, 1, '/dev/null', now(), (now() AT TIME ZONE 'Asia/Shanghai')::date, 'loaded')"
                " RETURNING batch_id"
            ),
            {"sha": f"list{version}"},
        ).scalar()
        conn.execute(sa.text("UPDATE core.credit_list SET is_current = false"))
        return conn.execute(
            sa.text(
                "INSERT INTO core.credit_list (department_id, batch_id, source_row, reported_on, subject_key,"
                " content_hash, version, is_current, supersedes, md_zt_mc, md_zt_lb, md_shxym, md_lx, md_rdbm,"
                " md_lrrq, md_lryj, md_ycrq, md_ycyy) VALUES ('scjg', :b, 2, '2025-09-05', '914403001922038216',"
                " :h, :v, true, :s, '平顶山市示例商贸有限公司', '法人及非法人组织', '914403001922038216',"
                " '严重失信主体名单', '平顶山市市场监督管理局', '2025-06-01', '食品安全严重违法', :r, :why)"
                " RETURNING record_id"
            ),
            {"b": batch_id, "h": f"h{version}", "v": version, "s": supersedes, "r": removed_on,
             "why": "修复" if removed_on else None},
        ).scalar()  # fmt: skip


def test_credit_list_entries_are_exported_and_withdrawn_when_removed_and_the_command_reports(engine, capsys):
    listed = add_listing(engine, None, 1)
    assert cli.main(["export", "run", "--to", "outbox", "--as-of", "2025-10-01"]) == 0
    assert "信用名单：新增 1" in capsys.readouterr().out
    removed = add_listing(engine, "2025-11-01", 2, supersedes=listed)
    [batch] = export_outbox(engine, date(2025, 11, 2))

    assert batch.counts == {"credit_list": {"withdraw": 1}}
    rows = read_csv(paths.data_path("outbox") / f"410400_MD_20251102_{batch.batch_id}.csv")
    assert [(r["SJID"], r["CZLX"], r["MD_YCRQ"], r["MD_YCYY"]) for r in rows] == [
        (f"410400-MD-{removed}-withdraw", "D", "2025-11-01", "修复")
    ]
    assert cli.main(["export", "batches"]) == 0
    out = capsys.readouterr().out
    assert f"导出批次 {batch.batch_id}（文件，公示日 2025-11-02）：已完成" in out
    assert "信用名单：撤下 1" in out and "信用名单：新增 1" in out


def test_the_export_dag_writes_the_outbox_and_pushes_through_the_airflow_connection(
    engine, run_dag, province, httpserver, monkeypatch
):
    load_rows(engine, "penalty", [COMPANY, PERSON], sha="p")
    url = httpserver.url_for("/").replace("http://", "http://city:s3cret@")
    monkeypatch.setenv("AIRFLOW_CONN_CITYCREDIT_PROVINCE", url)
    monkeypatch.delenv(province_push.URL_ENV, raising=False)

    run_dag("citycredit_export", "--conf", json.dumps({"as_of": "2025-10-01"}))

    assert sorted(province.actions()) == sorted([("I", COMPANY["cf_wsh"]), ("I", PERSON["cf_wsh"])])
    assert province.auth == [("city", "s3cret")]
    assert len(list(paths.data_path("outbox").glob("*_manifest.json"))) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT destination, status FROM export.batches ORDER BY 1")).all() == [
            ("outbox", "completed"),
            ("province", "completed"),
        ]
