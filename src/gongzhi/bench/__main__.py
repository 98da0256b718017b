"""The benchmarks' child processes, so that each runs with its own GIL::

python -m gongzhi.bench client '<json spec>'        # intake load, prints a JSON summary
python -m gongzhi.bench inprocess '<json spec>'     # intake in one process, prints JSON
python -m gongzhi.bench crash-client '<json spec>'  # crash load, writes its records
python -m gongzhi.bench prepare                     # migrate, demo, token (env DB)
python -m gongzhi.bench rollup-check                # the rollup as built = rebuilt (env DB)
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict


def main(argv: list[str]) -> None:
    if argv[:1] == ["client"]:
        from gongzhi.bench.load import run_load

        print(json.dumps(asdict(run_load(**json.loads(argv[1])))))
    elif argv[:1] == ["inprocess"]:
        from gongzhi.bench.inprocess import run_child

        run_child(json.loads(argv[1]))
    elif argv[:1] == ["crash-client"]:
        from gongzhi.bench.crash import run_crash_client

        run_crash_client(**json.loads(argv[1]))
    elif argv[:1] == ["rollup-check"]:
        from gongzhi.bench.scaleout import rollup_check

        print(json.dumps(rollup_check()))
    elif argv[:1] == ["prepare"]:
        from gongzhi.bench.server import prepare

        prepare()
    else:
        raise SystemExit(
            "usage: python -m gongzhi.bench client SPEC | inprocess SPEC | crash-client SPEC"
            " | prepare"
            " | rollup-check"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
