"""Custom GX expectations for the check digits of Chinese identifiers.

Importing this module registers four expectation types, so that a suite JSON can name them:

- ``expect_column_values_to_be_valid_uscc``: 统一社会信用代码 check characters (GB 32100 and the embedded
  GB 11714 组织机构代码). Values of the wrong shape pass: the built-in regex expectation reports those.
- ``expect_column_values_to_be_valid_id_card``: 居民身份证号码 (GB 11643), 18- or 15-digit.
- ``expect_column_values_to_be_valid_registration_number``: 15-digit 工商注册号 (GB/T 17710 MOD 11,10).
- ``expect_column_values_to_be_valid_org_code``: 9-character 组织机构代码 (GB 11714 mod 11).

Each is a ColumnMapExpectation: ``meta``, ``mostly``, ``row_condition`` and ``result_format`` (including
``unexpected_index_column_names``) work as for built-in expectations; null values are not evaluated.
Only the pandas engine is implemented. A SQL version would have to spell the weighted sums, the per-position
alphabet lookups and the calendar check in each dialect's SQL; that pushdown is left for later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pandas as pd
from great_expectations.core import ExpectationValidationResult
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import RendererConfiguration, RendererValueType

from citycredit.core import identifiers


def _condition_metric(metric_name: str, check: Callable[[pd.Series], pd.Series]) -> None:
    """Define, and so register, a column map metric whose condition is one of the vectorised checks."""

    class _Metric(ColumnMapMetricProvider):
        condition_metric_name = metric_name

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
            return check(column)


USCC_METRIC = "column_values.citycredit_valid_uscc"
ID_CARD_METRIC = "column_values.citycredit_valid_id_card"
REGNO_METRIC = "column_values.citycredit_valid_registration_number"
ORG_CODE_METRIC = "column_values.citycredit_valid_org_code"

_condition_metric(USCC_METRIC, identifiers.uscc_check_ok)
_condition_metric(ID_CARD_METRIC, identifiers.id_card_ok)
_condition_metric(REGNO_METRIC, identifiers.regno_ok)
_condition_metric(ORG_CODE_METRIC, identifiers.org_code_ok)


class _IdentifierExpectation(ColumnMapExpectation):
    """Shared rendering and metadata; abstract (no map_metric), so GX does not register it."""

    library_metadata: ClassVar[dict] = {
        "maturity": "production",
        "tags": ["citycredit", "identifier", "check digit", "column map expectation"],
        "contributors": ["citycredit"],
        "requirements": [],
    }
    # What Data Docs print after "<column> values must be ".
    requirement: ClassVar[str] = ""

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
        renderer_configuration.add_param(name="column", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="mostly", param_type=RendererValueType.NUMBER)
        template_str = f"values must be {cls.requirement}"
        mostly = renderer_configuration.params.mostly
        if mostly and mostly.value < 1.0:
            renderer_configuration = cls._add_mostly_pct_param(renderer_configuration=renderer_configuration)
            template_str += ", at least $mostly_pct % of the time."
        else:
            template_str += "."
        if renderer_configuration.include_column_name:
            template_str = f"$column {template_str}"
        renderer_configuration.template_str = template_str
        return renderer_configuration

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls,
        configuration: ExpectationConfiguration | None = None,
        result: ExpectationValidationResult | None = None,
        runtime_configuration: dict | None = None,
        **kwargs,
    ) -> list[RenderedStringTemplateContent]:
        """The Data Docs sentence: the atomic template above, with plain parameter values."""
        renderer_configuration = cls._prescriptive_template(
            RendererConfiguration(
                configuration=configuration, result=result, runtime_configuration=runtime_configuration
            )
        )
        params = {name: param["value"] for name, param in renderer_configuration.params.dict().items() if param}
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": renderer_configuration.template_str,
                    "params": params,
                    "styling": (runtime_configuration or {}).get("styling"),
                },
            )
        ]


class ExpectColumnValuesToBeValidUscc(_IdentifierExpectation):
    """Expect 统一社会信用代码 values to carry correct check characters.

    Position 18 must be the GB 32100 mod-31 check and position 17 the GB 11714 check of the embedded
    组织机构代码. Values that are not USCC-shaped pass (a regex expectation reports them), and so does the
    national placeholder 00000000000000000X (a separate rule decides where it is allowed).
    """

    map_metric = USCC_METRIC
    requirement: ClassVar[str] = "统一社会信用代码 with correct check characters (GB 32100, GB 11714)"


class ExpectColumnValuesToBeValidIdCard(_IdentifierExpectation):
    """Expect 居民身份证号码 values to be valid under GB 11643.

    18 characters with a correct check character (X or x), or 15 legacy digits; the birth date must be a
    real date from 1900-01-01 up to today. Use a row_condition to apply it only where 证件类型 is 身份证.
    """

    map_metric = ID_CARD_METRIC
    requirement: ClassVar[str] = "居民身份证号码 valid under GB 11643 (check digit, birth date)"


class ExpectColumnValuesToBeValidRegistrationNumber(_IdentifierExpectation):
    """Expect 工商注册号 values to be 15 digits with a correct GB/T 17710 MOD 11,10 check digit."""

    map_metric = REGNO_METRIC
    requirement: ClassVar[str] = "15-digit 工商注册号 with a correct check digit (GB/T 17710 MOD 11,10)"


class ExpectColumnValuesToBeValidOrgCode(_IdentifierExpectation):
    """Expect 组织机构代码 values to be 8 digits or upper-case letters and a correct GB 11714 check character."""

    map_metric = ORG_CODE_METRIC
    requirement: ClassVar[str] = "9-character 组织机构代码 with a correct check character (GB 11714)"
