#!/usr/bin/env python3
"""Lists and checks for scripts/slurm-test.sh and bench/shard.sh (sharded runs of parfetch).

    shard_list.py make --port PORT --shards N [--lines 10000] [--hosts-per-shard 2]
                       [--delay-ms 20] LIST HOSTS_JSON
        writes LIST: LINES lines against the fixture server on 127.0.0.1:PORT, over host names
        that all reach it (127.0.0.1, localhost, x.localhost), picked so that each of the N
        shards gets HOSTS_PER_SHARD of them by parfetch's documented shard hash (64-bit FNV-1a
        of "host:port", modulo N), plus a few comments, blank and invalid lines; HOSTS_JSON
        maps each host key to its shard.
    shard_list.py check --list LIST --hosts HOSTS_JSON --outdir DIR --stats STATS_JSON
                        --per-host K [--cancelled I --snapshot FILE]
        checks DIR/merged.jsonl against LIST (one final record per line, in line order, the
        fetchable ones 200, the invalid ones an error), that each host's records are in its
        shard's file only, each file in line order (--ordered; the resumed one in two runs), that the fixture server's /stats never saw more than K requests in
        flight to one host (by Host header), and, with --cancelled, that task I's file was cut
        mid-run (FILE: its copy when cancelled) and its requeued run appended only lines it
        lacked. Prints one line of figures; exits 1 with the reasons on failure.
"""

import argparse
import json
import sys

INVALID_LINES = [
    "not a url",
    "http://",
    "ftp://a.localhost/file.txt",
    "http://bad host.localhost/",
    "http://[::1/",
    "mailto:someone@localhost",
    "https://",
    "//localhost/no-scheme",
]


def fnv1a64(text):
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def shard_of(key, shards):
    return fnv1a64(key) % shards


def pick_hosts(port, shards, per_shard):
    names = ["127.0.0.1", "localhost"] + [f"{chr(c)}.localhost" for c in range(ord("a"), ord("z") + 1)]
    names += [f"{chr(c)}{chr(d)}.localhost" for c in range(ord("a"), ord("z") + 1) for d in range(ord("a"), ord("z") + 1)]
    taken = {}
    counts = [0] * shards
    for name in names:
        key = f"{name}:{port}"
        shard = shard_of(key, shards)
        if counts[shard] < per_shard:
            taken[key] = shard
            counts[shard] += 1
        if all(count == per_shard for count in counts):
            return taken
    sys.exit(f"shard_list: cannot give each of {shards} shards {per_shard} hosts")


def make(args):
    hosts = pick_hosts(args.port, args.shards, args.hosts_per_shard)
    keys = sorted(hosts)
    lines = ["# parfetch sharded-run list (scripts/shard_list.py)", ""]
    invalid = list(INVALID_LINES)
    n = 0
    while len(lines) < args.lines:
        if invalid and len(lines) % 1000 == 500:
            lines.append(invalid.pop())
        elif len(lines) % 2500 == 1250:
            lines.append("# a comment")
        else:
            lines.append(f"http://{keys[n % len(keys)]}/delay/{args.delay_ms}?i={n}")
            n += 1
    with open(args.list, "w") as out:
        out.write("\n".join(lines) + "\n")
    with open(args.hosts_json, "w") as out:
        json.dump(hosts, out, indent=1, sort_keys=True)
    print(f"{len(lines)} lines, {n} URLs over {len(keys)} hosts, "
          f"{len(INVALID_LINES) - len(invalid)} invalid")


def read_records(path, problems):
    records = []
    with open(path) as source:
        for number, text in enumerate(source, 1):
            try:
                record = json.loads(text)
                records.append(record)
                if not isinstance(record.get("line"), int):
                    raise ValueError("no line")
            except ValueError as error:
                problems.append(f"{path}:{number}: not a record ({error})")
    return records


def is_final(record):
    return (record.get("error") or {}).get("kind") != "interrupted"


def host_key(url):
    rest = url.split("://", 1)[1]
    return rest.split("/", 1)[0]


def check(args):
    problems = []
    with open(args.hosts) as source:
        hosts = json.load(source)
    shards = len(set(hosts.values()))
    expected = {}  # line number -> text
    with open(args.list) as source:
        for number, text in enumerate(source, 1):
            text = text.strip()
            if text and not text.startswith("#"):
                expected[number] = text

    merged = read_records(f"{args.outdir}/merged.jsonl", problems)
    numbers = [record["line"] for record in merged if isinstance(record.get("line"), int)]
    if numbers != sorted(numbers):
        problems.append("merged.jsonl is not in line order")
    if len(numbers) != len(set(numbers)):
        problems.append(f"merged.jsonl has {len(numbers) - len(set(numbers))} lines with more than one record")
    missing = sorted(set(expected) - set(numbers))
    extra = sorted(set(numbers) - set(expected))
    if missing:
        problems.append(f"{len(missing)} lines have no record (first {missing[:5]})")
    if extra:
        problems.append(f"{len(extra)} records are for no list line (first {extra[:5]})")
    interrupted = [record["line"] for record in merged if not is_final(record)]
    if interrupted:
        problems.append(f"{len(interrupted)} records are interrupted (first {interrupted[:5]})")
    valid = set(INVALID_LINES)
    bad_outcome = []
    for record in merged:
        text = expected.get(record.get("line"))
        if text is None:
            continue
        if text in valid:
            if not record.get("error"):
                bad_outcome.append(record["line"])
        elif record.get("status") != 200 or record.get("error") or record.get("url") != text:
            bad_outcome.append(record["line"])
    if bad_outcome:
        problems.append(f"{len(bad_outcome)} records have the wrong outcome or URL (first lines {bad_outcome[:5]})")

    # Each host's records in its own shard's file, and nowhere else.
    shard_records = {}
    for index in range(shards):
        shard_records[index] = read_records(f"{args.outdir}/shard-{index}.jsonl", problems)
        # Written --ordered: ascending lines, a resumed file in two runs.
        lines = [record.get("line", 0) for record in shard_records[index]]
        descents = sum(1 for a, b in zip(lines, lines[1:]) if b <= a)
        if descents > (1 if index == args.cancelled else 0):
            problems.append(f"shard-{index}.jsonl is not in line order ({descents} descents)")
        for record in shard_records[index]:
            text = expected.get(record.get("line"), "")
            if text.startswith("http://") and host_key(text) in hosts and hosts[host_key(text)] != index:
                problems.append(f"shard-{index}.jsonl has line {record['line']} of shard {hosts[host_key(text)]}")
                break

    with open(args.stats) as source:
        stats = json.load(source)
    by_host = stats.get("max_in_flight_by_host")
    if by_host is None:
        problems.append("the fixture server's /stats has no max_in_flight_by_host")
        by_host = {}
    for key in hosts:
        if key not in by_host:
            problems.append(f"the fixture server saw no request to {key}")
    over = {key: value for key, value in by_host.items() if value > args.per_host}
    if over:
        problems.append(f"more than --per-host {args.per_host} in flight to one host: {over}")
    most = max(by_host.values(), default=0)
    if most < 2:
        problems.append(f"at most {most} request in flight to a host: the run was not concurrent")

    resumed = ""
    if args.cancelled is not None:
        records = shard_records.get(args.cancelled, [])
        with open(args.snapshot) as source:
            cut = sum(1 for _ in source)
        before, after = records[:cut], records[cut:]
        done_before = {record["line"] for record in before if is_final(record)}
        own = sum(1 for number, text in expected.items()
                  if text.startswith("http://") and hosts.get(host_key(text)) == args.cancelled)
        if not before:
            problems.append(f"task {args.cancelled} had written nothing when cancelled")
        if len(done_before) >= own:
            problems.append(f"task {args.cancelled} had finished its {own} URLs before it was cancelled")
        if not after:
            problems.append(f"the requeued task {args.cancelled} appended nothing")
        again = [record["line"] for record in after if record["line"] in done_before]
        if again:
            problems.append(f"the requeued task {args.cancelled} fetched {len(again)} lines again "
                            f"that were done (first {again[:5]})")
        interrupted_before = sum(1 for record in before if not is_final(record))
        resumed = (f"; task {args.cancelled} cut at {len(before)} records ({interrupted_before} interrupted), "
                   f"resumed with {len(after)}")

    figures = (f"{len(merged)} records for {len(expected)} lines; "
               f"shards {[len(shard_records[i]) for i in range(shards)]}; "
               f"max in flight per host {dict(sorted(by_host.items()))} (limit {args.per_host}), "
               f"in all {stats.get('max_in_flight')}; {stats.get('requests')} requests{resumed}")
    if problems:
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"FAIL: {figures}")
        sys.exit(1)
    print(f"ok: {figures}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    maker = commands.add_parser("make")
    maker.add_argument("--port", type=int, required=True)
    maker.add_argument("--shards", type=int, required=True)
    maker.add_argument("--lines", type=int, default=10000)
    maker.add_argument("--hosts-per-shard", type=int, default=2)
    maker.add_argument("--delay-ms", type=int, default=20)
    maker.add_argument("list")
    maker.add_argument("hosts_json")
    checker = commands.add_parser("check")
    checker.add_argument("--list", required=True)
    checker.add_argument("--hosts", required=True)
    checker.add_argument("--outdir", required=True)
    checker.add_argument("--stats", required=True)
    checker.add_argument("--per-host", type=int, required=True)
    checker.add_argument("--cancelled", type=int)
    checker.add_argument("--snapshot")
    args = parser.parse_args()
    make(args) if args.command == "make" else check(args)


if __name__ == "__main__":
    main()
