"""The pydantic models of the 核查 API: what ``POST /api/v1/list-check`` takes and answers (the JSON of
publish.list_check.Report.as_json, docs/list_check.md), as the OpenAPI document states them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

MAX_SUBJECTS = 100_000


class SubjectIn(BaseModel):
    code: str | None = Field(None, description="统一社会信用代码，或自然人的身份证号码", max_length=64)
    name: str | None = Field(None, description="主体名称（没有代码时按名称核查）", max_length=500)


class ListCheckRequest(BaseModel):
    as_of: dt.date | None = Field(None, description="核查日期 YYYY-MM-DD；默认今天（本市时区）")
    subjects: list[SubjectIn] = Field(..., min_length=1, max_length=MAX_SUBJECTS)


class Party(BaseModel):
    code: str | None
    name: str | None
    natural_person: bool


class Measure(BaseModel):
    heading: str
    scope: str
    text: str
    source: str | None


class Listing(BaseModel):
    record_id: int = Field(description="core.credit_list 中该名单期间当前版本的记录号")
    list_type: str
    list_class: str | None = Field(description="严重失信 / 重点关注 / 红名单；未归类为 null")
    listed_on: dt.date
    authority: str
    authority_code: str | None
    basis: str | None
    subject: Party
    measures: list[Measure]


class Candidate(Party):
    lists: list[str]


class Query(BaseModel):
    code: str | None = Field(description="所查代码（身份证号码已遮蔽）")
    name: str | None


class Answer(BaseModel):
    position: int
    query: Query
    result: str = Field(description="listed / not_listed / ambiguous_name / invalid_code")
    result_zh: str = Field(description="在列 / 无记录 / 名称不唯一 / 代码无效")
    as_of: dt.date
    message: str
    subject: Party | None
    listings: list[Listing]
    candidates: list[Candidate]


class Counts(BaseModel):
    listed: int
    not_listed: int
    ambiguous_name: int
    invalid_code: int


class ListCheckResponse(BaseModel):
    as_of: dt.date
    lists_reported_through: dt.date | None = Field(description="最近一次入库的信用名单的报送日")
    counts: Counts
    results: list[Answer]
