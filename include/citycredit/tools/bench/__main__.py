"""The bench's ingest child: ``python -m citycredit.tools.bench FILE FEED_ID OUTPUT_JSON`` (started by
``ingest.run_ingest``), so that its peak RSS is the ingest's alone."""

import json
import sys
from pathlib import Path

from citycredit.tools.bench.ingest import ingest_child

if __name__ == "__main__":
    path, feed_id, output = sys.argv[1:4]
    Path(output).write_text(json.dumps(ingest_child(Path(path), feed_id), default=str))
