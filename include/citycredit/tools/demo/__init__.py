"""Synthetic department deliveries (双公示 records, credit lists, the register, 信用承诺, 异议 and 信用修复 cases),
with the faults real departments make; a tool apart from the pipeline's stages.

Entry points (``feeds``): ``generate_feeds`` fills a landing inbox with one month of deliveries for every file
feed of the registry, each department in its own format (``styles``); ``generate_history`` adds earlier months of
双公示 deliveries, one file a month per dataset; ``write_large_csv`` writes millions of rows in blocks for
benchmarks. Every name, code and number is synthetic: names are assembled from common characters
(``vocabulary``), 统一社会信用代码 and 身份证号码 are computed to pass their check digits (``subjects``) and then
damaged at the rates of ``faults``. Output is deterministic for a given seed.
"""
