#!/usr/bin/env python3
"""Quiver against its peers, in one run, on the same Parquet files.

  peers.py serve --port P --data DIR
      a pyarrow Flight server over pyarrow.dataset (the peer): scans with projection and filter,
      one endpoint per file; SUM ... GROUP BY through an Acero plan (scan, filter, hash_sum)
  peers.py compare --data DIR --quiver URI [--cluster URI] [--pids PID,...] [--runs N] [--warmup N]
      times every case through one pyarrow Flight client against Quiver and the peer, and DuckDB
      in-process (2 threads, its answer fetched as an Arrow table); prints median, min and max of
      each, and the ratios

Needs pyarrow and duckdb (benchmarks/run installs the pinned versions in a virtual environment).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pyarrow as pa
import pyarrow.acero as acero
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.flight as flight

# name, Quiver's SQL, DuckDB's SQL (FROM {files}), the peer's request, on which Quiver: False for
# one node, True for the 3-node cluster (partitions by descriptor between its co-located nodes),
# "streamed" for the same cluster started with --no-descriptor-exchange
CASES = [
    ("full scan, 2 columns", "SELECT g, m FROM bench", "SELECT g, m FROM {files}",
     {"columns": ["g", "m"]}, False),
    ("full scan, all 7 columns", "SELECT * FROM bench", "SELECT * FROM {files}",
     {"columns": ["id", "g", "g2", "a", "m", "t", "label"]}, False),
    ("range filter, 5% of rows",
     "SELECT id, m FROM bench WHERE t >= 9500 AND t < 10500",
     "SELECT id, m FROM {files} WHERE t >= 9500 AND t < 10500",
     {"columns": ["id", "m"], "range": ["t", 9500, 10500]}, False),
    ("SUM GROUP BY, 1,000 groups", "SELECT g, SUM(m) FROM bench GROUP BY g",
     "SELECT g, SUM(m) FROM {files} GROUP BY g", {"group_by": "g", "sum": "m"}, False),
    ("SUM GROUP BY, 1M groups", "SELECT g2, SUM(m) FROM bench GROUP BY g2",
     "SELECT g2, SUM(m) FROM {files} GROUP BY g2", {"group_by": "g2", "sum": "m"}, False),
    ("SUM GROUP BY + filter 5%",
     "SELECT g, SUM(m) FROM bench WHERE t >= 9500 AND t < 10500 GROUP BY g",
     "SELECT g, SUM(m) FROM {files} WHERE t >= 9500 AND t < 10500 GROUP BY g",
     {"group_by": "g", "sum": "m", "range": ["t", 9500, 10500]}, False),
    ("3 nodes: SUM GROUP BY, 1,000 groups", "SELECT g, SUM(m) FROM bench GROUP BY g",
     "SELECT g, SUM(m) FROM {files} GROUP BY g", None, True),
    ("3 nodes: SUM GROUP BY, 1M groups", "SELECT g2, SUM(m) FROM bench GROUP BY g2",
     "SELECT g2, SUM(m) FROM {files} GROUP BY g2", None, True),
    ("3 nodes, partitions streamed: 1M groups", "SELECT g2, SUM(m) FROM bench GROUP BY g2",
     "SELECT g2, SUM(m) FROM {files} GROUP BY g2", None, "streamed"),
]


class PeerServer(flight.FlightServerBase):
    """The peer: what a user gets from pyarrow.flight and pyarrow.dataset in a few lines."""

    def __init__(self, port, data):
        self.uri = "grpc://127.0.0.1:%d" % port
        super().__init__(self.uri)
        self.dataset = ds.dataset(data, format="parquet")

    def get_flight_info(self, context, descriptor):
        request = json.loads(descriptor.command)
        parts = [request] if "group_by" in request else [
            dict(request, file=f) for f in self.dataset.files]
        endpoints = [flight.FlightEndpoint(json.dumps(p).encode(), [self.uri]) for p in parts]
        return flight.FlightInfo(pa.schema([]), descriptor, endpoints, -1, -1)

    def do_get(self, context, ticket):
        request = json.loads(ticket.ticket)
        condition = None
        if "range" in request:
            column, low, high = request["range"]
            condition = (pc.field(column) >= low) & (pc.field(column) < high)
        if "group_by" in request:
            key, value = request["group_by"], request["sum"]
            steps = [acero.Declaration(
                "scan", acero.ScanNodeOptions(self.dataset, columns=[key, value], filter=condition))]
            if condition is not None:
                steps.append(acero.Declaration("filter", acero.FilterNodeOptions(condition)))
            steps.append(acero.Declaration("aggregate", acero.AggregateNodeOptions(
                [(value, "hash_sum", None, "sum")], keys=[key])))
            return flight.RecordBatchStream(
                acero.Declaration.from_sequence(steps).to_table(use_threads=True))
        scanner = ds.dataset(request["file"], format="parquet").scanner(
            columns=request["columns"], filter=condition)
        return flight.RecordBatchStream(scanner.to_reader())


class Reader:
    """One pyarrow Flight client per location; every endpoint of a FlightInfo read in parallel."""

    def __init__(self, uri):
        self.uri = uri
        self.clients = {}

    def client(self, uri):
        if uri not in self.clients:
            self.clients[uri] = flight.FlightClient(uri)
        return self.clients[uri]

    def rows(self, command):
        info = self.client(self.uri).get_flight_info(flight.FlightDescriptor.for_command(command))

        def read(endpoint):
            location = endpoint.locations[0].uri.decode() if endpoint.locations else self.uri
            location = location.replace("grpc+tcp://", "grpc://")
            return self.client(location).do_get(endpoint.ticket).read_all().num_rows

        endpoints = info.endpoints
        if len(endpoints) == 1:
            return read(endpoints[0])
        with ThreadPoolExecutor(max_workers=min(8, len(endpoints))) as pool:
            return sum(pool.map(read, endpoints))


def timed(call, runs):
    rows, times = None, []
    for _ in range(runs):
        start = time.perf_counter()
        rows = call()
        times.append((time.perf_counter() - start) * 1000)
    return rows, times


def cpu_ms(pids):
    """CPU time (user + system) the processes have used so far, in ms, from /proc."""
    ticks = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def with_cpu(call, pids):
    """Runs call once; its rows, wall ms and the CPU ms of pids (of this process when None)."""
    before = time.process_time() * 1000 if pids is None else cpu_ms(pids)
    start = time.perf_counter()
    rows = call()
    wall = (time.perf_counter() - start) * 1000
    after = time.process_time() * 1000 if pids is None else cpu_ms(pids)
    return rows, wall, after - before


def rss_mb(pids):
    """Resident and peak resident memory of each process, in MB, from /proc."""
    result = []
    for pid in pids:
        fields = {}
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) // 1024
        result.append(fields)
    return result


def loopback_gb_per_s(seconds=2.0):
    """What one TCP stream carries over loopback on this machine, sender and receiver in two
    processes (a Python approximation of iperf)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    receiver = subprocess.Popen([sys.executable, "-c", """
import socket, sys
s = socket.create_connection(("127.0.0.1", %d)); buf = bytearray(1 << 22); n = 0
while True:
    k = s.recv_into(buf)
    if not k: break
    n += k
print(n)
""" % port], stdout=subprocess.PIPE)
    connection, _ = server.accept()
    chunk = memoryview(bytearray(1 << 22))
    sent, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        connection.sendall(chunk)
        sent += len(chunk)
    connection.close()
    received = int(receiver.communicate()[0])
    elapsed = time.perf_counter() - start
    server.close()
    return received / elapsed / 1e9


def node_pids(pids, on_cluster):
    """The pids of the nodes a case runs on, from --pids: one node, then two clusters of three."""
    if not pids:
        return []
    if on_cluster == "streamed":
        return pids[4:7]
    return pids[1:4] if on_cluster else pids[:1]


def describe(times):
    return "%7.0f (%.0f-%.0f)" % (statistics.median(times), min(times), max(times))


def compare(args):
    files = "read_parquet('%s/*.parquet')" % args.data
    duck = duckdb.connect()
    duck.execute("SET threads TO 2")
    port = free_port()
    peer_process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "serve", "--port", str(port), "--data", args.data])
    peer = Reader("grpc://127.0.0.1:%d" % port)
    wait_for(port)
    quiver = Reader(args.quiver)
    cluster = Reader(args.cluster) if args.cluster else None
    streamed = Reader(args.streamed) if args.streamed else None
    pids = [int(p) for p in args.pids.split(",")] if args.pids else []
    results = []
    print("\n%-38s %20s %20s %20s %8s %8s %12s" % (
        "case (ms: median (min-max))", "quiver", "pyarrow peer", "duckdb", "q/duck", "q/peer", "rows"))
    try:
        for name, quiver_sql, duck_sql, peer_request, on_cluster in CASES:
            target = streamed if on_cluster == "streamed" else cluster if on_cluster else quiver
            if target is None:
                continue
            sql = duck_sql.format(files=files)
            expected = duck.execute(sql).to_arrow_table().num_rows
            rows, quiver_ms = timed(lambda: target.rows(quiver_sql.encode()), 1)
            if rows != expected:
                raise SystemExit("%s: Quiver returned %d rows, DuckDB %d" % (name, rows, expected))
            # Untimed runs first: the times are of a warmed-up steady state. A JVM's JIT compiles
            # code reached once per batch or per query only after thousands of calls, so a node
            # needs about 40 queries of a case before its CPU per query stops falling (measured:
            # the 2-column scan 1300 ms of CPU per query over queries 11-20, 800 over 41-60). Each
            # node of a cluster does a third of a query's work, so three times the queries there.
            # At most 90 s per case. The peer and DuckDB, native code, get --warmup runs each,
            # interleaved with Quiver's first ones. The median of Quiver's first --warmup queries
            # is kept as its cold figure, so the cost of warming up stays in sight.
            warmup = args.quiver_warmup * (3 if on_cluster else 1)
            until = time.perf_counter() + args.warmup_seconds
            cold_ms = []
            for i in range(warmup):
                if time.perf_counter() > until:
                    break
                _, walls = timed(lambda: target.rows(quiver_sql.encode()), 1)
                if i < args.warmup:
                    cold_ms.extend(walls)
                if not on_cluster and i < args.warmup:
                    if peer_request is not None:
                        peer.rows(json.dumps(peer_request).encode())
                    duck.execute(sql).to_arrow_table()
            quiver_ms, peer_ms, duck_ms = [], [], []
            # CPU per query too: the nodes' (from /proc), the peer server's, DuckDB's (this
            # process, which runs it). On a small VM wall times move 20-30% between runs; CPU
            # moves far less, and says what each engine spends.
            nodes = node_pids(pids, on_cluster)
            quiver_cpu, peer_cpu, duck_cpu = [], [], []
            for _ in range(args.runs):
                _, wall, cpu = with_cpu(lambda: target.rows(quiver_sql.encode()), nodes)
                quiver_ms.append(wall)
                quiver_cpu.append(cpu)
                if peer_request is not None:
                    peer_rows, wall, cpu = with_cpu(
                        lambda: peer.rows(json.dumps(peer_request).encode()), [peer_process.pid])
                    if peer_rows != expected:
                        raise SystemExit("%s: the peer returned %d rows, DuckDB %d" % (name, peer_rows, expected))
                    peer_ms.append(wall)
                    peer_cpu.append(cpu)
                _, wall, cpu = with_cpu(lambda: duck.execute(sql).to_arrow_table(), None)
                duck_ms.append(wall)
                duck_cpu.append(cpu)
            q, d = statistics.median(quiver_ms), statistics.median(duck_ms)
            p = statistics.median(peer_ms) if peer_ms else None
            print("%-38s %20s %20s %20s %8.2f %8s %12s" % (
                name, describe(quiver_ms), describe(peer_ms) if peer_ms else "-", describe(duck_ms),
                q / d, "%.2f" % (q / p) if p else "-", format(expected, ",")))
            print("%-38s %20s" % ("  Quiver's first queries (cold)", describe(cold_ms)))
            results.append({"case": name, "rows": expected, "quiver_ms": quiver_ms,
                            "quiver_cold_ms": cold_ms,
                            "peer_ms": peer_ms, "duckdb_ms": duck_ms,
                            "quiver_cpu_ms": quiver_cpu if nodes else [],
                            "peer_cpu_ms": peer_cpu, "duckdb_cpu_ms": duck_cpu})
        print("\n%-38s %20s %20s %20s %8s %8s" % (
            "server CPU ms per query (median)", "quiver nodes", "pyarrow peer", "duckdb", "q/duck", "q/peer"))
        for r in results:
            if not r["quiver_cpu_ms"]:
                continue
            q, d = statistics.median(r["quiver_cpu_ms"]), statistics.median(r["duckdb_cpu_ms"])
            p = statistics.median(r["peer_cpu_ms"]) if r["peer_cpu_ms"] else None
            print("%-38s %20.0f %20s %20.0f %8.2f %8s" % (
                r["case"], q, "%.0f" % p if p else "-", d, q / d, "%.2f" % (q / p) if p else "-"))
        if pids:
            memory = rss_mb(pids)
            print("\nQuiver nodes after the cases (MB): %s" % memory)
            repeated = []
            for i in range(args.repeat):
                quiver.rows(CASES[3][1].encode())
                if i in (0, args.repeat // 2, args.repeat - 1):
                    repeated.append(rss_mb(pids[:1])[0]["VmRSS"])
            print("Single node RSS (MB) after query 1, %d and %d of %d x '%s': %s" % (
                args.repeat // 2 + 1, args.repeat, args.repeat, CASES[3][0], repeated))
            results.append({"memory_mb": memory, "repeated_rss_mb": repeated})
        shared = shared_memory(quiver, args.runs)
        if shared:
            results.append({"shared_memory": shared})
        bandwidth = loopback_gb_per_s()
        scan = next(r for r in results if r.get("case") == CASES[0][0])
        size = 20_000_000 * 16 / 1e9
        print("Loopback TCP, one stream: %.1f GB/s; the 2-column scan is %.2f GB of Arrow: "
              "Quiver %.1f GB/s, peer %.1f GB/s" % (
                  bandwidth, size, size / statistics.median(scan["quiver_ms"]) * 1000,
                  size / statistics.median(scan["peer_ms"]) * 1000))
        if args.json:
            with open(args.json, "w") as out:
                json.dump({"runs": args.runs, "results": results, "loopback_gb_s": bandwidth}, out, indent=1)
    finally:
        peer_process.terminate()


def shared_memory(quiver, runs):
    """The same answer read by this pyarrow client over loopback Flight and from Quiver's
    shared-memory object store (pyarrow.memory_map + pyarrow.ipc: no copy): wall time end to end,
    the client's part alone, and the client's CPU time."""
    client = quiver.client(quiver.uri)
    try:
        info = json.loads(next(iter(client.do_action(flight.Action("shm-info", b"")))).body.to_pybytes())
        with open(info["nonceFile"]) as f:
            nonce = f.read()
    except (flight.FlightError, OSError) as e:
        print("\nShared memory: not available (%s)" % e)
        return None

    def action(name, body):
        result = next(iter(client.do_action(flight.Action(name, json.dumps(body).encode()))))
        return json.loads(result.body.to_pybytes())

    def via_flight(sql):
        return quiver.rows(sql.encode())

    def via_shm(sql):
        obj_id = action("shm-query", {"sql": sql, "nonce": nonce})["id"]
        obj = action("shm-get", {"id": obj_id, "nonce": nonce})
        start = time.perf_counter()
        cpu = time.process_time()
        with pa.memory_map(obj["path"]) as source:
            table = pa.ipc.open_file(source).read_all()
            rows = table.num_rows
            del table
        client_ms = (time.perf_counter() - start) * 1000
        client_cpu = (time.process_time() - cpu) * 1000
        action("shm-release", {"id": obj_id, "nonce": nonce})
        return rows, client_ms, client_cpu

    print("\n%-30s %18s %18s %18s %18s %12s" % (
        "same answer, pyarrow client", "flight ms", "flight cpu ms", "shm ms (client)", "shm cpu ms", "rows"))
    out = []
    for name, sql in (("full scan, 2 columns", CASES[0][1]), ("SUM GROUP BY, 1M groups", CASES[4][1])):
        flight_ms, flight_cpu, shm_ms, shm_client_ms, shm_cpu = [], [], [], [], []
        rows = via_flight(sql)
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            via_flight(sql)
            flight_ms.append((time.perf_counter() - start) * 1000)
            flight_cpu.append((time.process_time() - cpu) * 1000)
            start, cpu = time.perf_counter(), time.process_time()
            mapped_rows, client_ms, client_cpu = via_shm(sql)
            if mapped_rows != rows:
                raise SystemExit("%s: shared memory gave %d rows, Flight %d" % (name, mapped_rows, rows))
            shm_ms.append((time.perf_counter() - start) * 1000)
            shm_client_ms.append(client_ms)
            shm_cpu.append(client_cpu)
        print("%-30s %18s %18s %18s %18s %12s" % (
            name, describe(flight_ms), describe(flight_cpu),
            "%s (%.1f)" % (describe(shm_ms).strip(), statistics.median(shm_client_ms)),
            describe(shm_cpu), format(rows, ",")))
        out.append({"case": name, "rows": rows, "flight_ms": flight_ms, "flight_cpu_ms": flight_cpu,
                    "shm_ms": shm_ms, "shm_client_ms": shm_client_ms, "shm_cpu_ms": shm_cpu})
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("nothing listens on port %d" % port)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--data", required=True)
    run = sub.add_parser("compare")
    run.add_argument("--data", required=True, help="folder of the Parquet files")
    run.add_argument("--quiver", required=True, help="a Quiver node serving them as 'bench'")
    run.add_argument("--cluster", help="a node of a 3-node cluster serving a third each")
    run.add_argument("--streamed", help="a node of the same cluster with --no-descriptor-exchange")
    run.add_argument("--pids", help="the Quiver nodes' process ids, for their memory")
    run.add_argument("--runs", type=int, default=7)
    run.add_argument("--warmup", type=int, default=10,
                     help="untimed runs of each case for the peer and DuckDB first")
    run.add_argument("--quiver-warmup", type=int, default=40,
                     help="untimed runs of each case for Quiver first (three times that on a cluster)")
    run.add_argument("--warmup-seconds", type=float, default=90,
                     help="at most this long warming up per case")
    run.add_argument("--repeat", type=int, default=100, help="queries for the memory check")
    run.add_argument("--json", help="write every timing here")
    args = parser.parse_args()
    if args.command == "serve":
        server = PeerServer(args.port, args.data)
        server.serve()
    else:
        compare(args)


if __name__ == "__main__":
    main()
