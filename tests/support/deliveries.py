"""License deliveries of two departments staged straight into the warehouse, for load and re-run tests."""

from support.staged_batches import LICENSE_RECORD, stage

VARIED = ("xk_xdr_mc", "xk_xdr_shxym", "xk_wsh", "xk_xkjg", "xk_xkjgdm", "xk_lydw", "xk_lydwdm")
ROW = {k: v for k, v in LICENSE_RECORD.items() if k not in VARIED}
FEEDS = {
    "scjg": ("平顶山市市场监督管理局", "11410400005260186J"),
    "sthj": ("平顶山市生态环境局", "11410400001590831U"),
}
CODES = ["914403001922038216", "91330100799655058B", "91110108551385082Q", "91440300708461136T"]


def permits(department: str, n: int, first: int = 1) -> dict[int, dict]:
    """n permits of a department, every tenth under a mistyped code (quarantined by the error finding)."""
    name, code = FEEDS[department]
    return {
        k + 2: {**ROW, "xk_xdr_mc": f"平顶山市示例{(first + k) % 7}号有限公司", "xk_xdr_shxym": CODES[(first + k) % 4],
                "xk_wsh": f"平许〔2025〕{first + k}号", "xk_xkjg": name, "xk_xkjgdm": code, "xk_lydw": name,
                "xk_lydwdm": code}
        for k in range(n)
    }  # fmt: skip


def deliver(conn, department: str, rows: dict[int, dict], day: str = "2025-09-05") -> int:
    errors = tuple(r for r in rows if r % 10 == 0)
    return stage(
        conn, "license", rows, feed_id=f"{department}_license", department_id=department, day=day, errors=errors
    )
