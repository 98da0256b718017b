"""wrk as the load generator, when it is installed (faster than the Python client; the
figures are the same ``LoadResult``)."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path

from gongzhi.bench.load import REQUEST_TIMEOUT, LoadResult, case_bodies

WRK_LUA = r"""
-- Gongzhi intake benchmark: one POST per request, a unique Idempotency-Key each.
local bodies = {}
local conn_counter = 0
local token, prefix = nil, nil
local seq, me = 0, 0
statuses = {}

function init(args)
  token = args[1]
  prefix = args[2]
  local f = io.open(args[3], "r")
  for line in f:lines() do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  f:close()
end

function request()
  seq = seq + 1
  local body = bodies[(seq % #bodies) + 1]
  local headers = {}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = prefix .. "-" .. me .. "-" .. seq
  return wrk.format("POST", "/api/cases/", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  conn_counter = conn_counter + 1
  thread:set("me", conn_counter)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local ok, total = 0, 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      total = total + n
      if code == 201 then ok = ok + n end
    end
  end
  io.write(string.format(
    "GZJSON {\"requests\": %d, \"ok\": %d, \"socket_errors\": %d, \"duration_us\": %d, " ..
    "\"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    total, ok,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    *,
    host: str,
    port: int,
    token: str,
    connections: int,
    duration: float,
    workdir: Path,
    key_prefix: str,
) -> LoadResult:
    """wrk with a Lua script (duration-bound only); one thread, since the machine has
    few cores and the server needs them. The generator's CPU is its child rusage."""
    script = workdir / "intake.lua"
    script.write_text(WRK_LUA)
    bodies = workdir / "bodies.txt"
    bodies.write_bytes(b"\n".join(case_bodies()) + b"\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            f"{int(REQUEST_TIMEOUT)}s",
            "-s",
            str(script),
            f"http://{host}:{port}/api/cases/",
            "--",
            token,
            key_prefix,
            str(bodies),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 2 * REQUEST_TIMEOUT,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("GZJSON "))
    data = json.loads(line[7:])
    elapsed = data["duration_us"] / 1e6
    return LoadResult(
        connections=connections,
        requests=data["requests"] + data["socket_errors"],
        ok=data["ok"],
        errors=data["requests"] - data["ok"] + data["socket_errors"],
        elapsed=elapsed,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        created_total=data["ok"],
        statuses={"201": data["ok"], "other": data["requests"] - data["ok"]},
        client_cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        generator="wrk",
    )
