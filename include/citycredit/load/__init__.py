"""Stage 4, load: a validated batch into the warehouse's core tables by natural key, its rows with errors into
quarantine, every row accounted for (``merge``); credit-list periods, the market-subject register and the
统一社会信用代码 stock beside it."""
