"""`tipchat bench`: a bounded, loopback-only load benchmark (issue 5).

config     what one run does (BenchConfig), with the issue's targets
cluster    the processes it starts: PostgreSQL, Valkey, tipchat nodes, the bare WS server
population users, rooms and memberships, through the REST API (or seeded)
plan       which client is in which room (pure)
load       one load-generator process: WebSocket clients, paced sends, counters
workers    the parent's side of those processes
sampler    RSS and CPU of the processes under test (psutil)
ceilings   this machine's ceilings: PostgreSQL inserts, Redis pub/sub, bare WS broadcast
bare_ws    the bare broadcast server (`python -m tipchat.bench.bare_ws`)
histogram  latency histograms that merge across processes
runner     the phases of a run, in order
figures    raw results -> the figures, ratios and target verdicts
report     report.json and report.md;  plots: the PNGs
progress   the live line while it runs;  cli: the typer app
soak       `tipchat bench soak` (issue 8): churning clients for minutes, node RSS and descriptors
soak_load  its load-generator process;  soak_report: trend verdict, report.json/.md, plots
"""
