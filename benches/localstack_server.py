"""LocalStack in this Python process, for benches/backend.rs's comparison.

    python localstack_server.py PORT

Runs with the peer suite's virtualenv (localstack-core 4.14.0, installed by
../shared/peer-suite/run.sh --setup into ~/.cache/eddy-peer/venv): starts
LocalStack's runtime the way its own pytest plugin does, without Docker,
with only the services eddy's backend has, on 127.0.0.1:PORT, and runs until
killed.
"""

import os
import sys

port = sys.argv[1]
os.environ["GATEWAY_LISTEN"] = f"127.0.0.1:{port}"
os.environ.setdefault("SERVICES", "sqs,events,logs,sts")
os.environ.setdefault("SQS_ENDPOINT_STRATEGY", "path")

from localstack.runtime import current  # noqa: E402

current.initialize_runtime().run()
