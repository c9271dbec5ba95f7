"""Runs client/python/quiver_flight.py against a node for PythonClientTest; prints JSON answers.

  check_quiver_flight.py MODULE_DIR SPEC_JSON

SPEC_JSON: {"uri", "scan": SQL, "aggregate": SQL with columns (k, total, n), "dataset",
"user"?, "password"?, "token"?, "ca"? (PEM file), "shared": bool, "wrongPassword"?: str}.
Rows are printed as "v1|v2|..." (None as NULL), as the Java side formats DuckDB's.
"""

import json
import sys

sys.path.insert(0, sys.argv[1])
spec = json.loads(sys.argv[2])

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.flight as flight  # noqa: E402
from quiver_flight import Quiver, flight_sql_statement  # noqa: E402

try:
    import pandas
except ImportError as e:
    pandas = None
    pandas_missing = str(e)
try:
    import polars
except ImportError as e:
    polars = None
    polars_missing = str(e)


def rows(table):
    return sorted("|".join("NULL" if v is None else str(v) for v in row.values())
                  for row in table.to_pylist())


def error(call):
    try:
        call()
        return None
    except (flight.FlightError, pa.ArrowException) as e:
        return {"type": type(e).__name__, "message": str(e)}


ca = open(spec["ca"], "rb").read() if spec.get("ca") else None
out = {"pyarrow": pa.__version__}
with Quiver(spec["uri"], user=spec.get("user"), password=spec.get("password"),
            token=spec.get("token"), tls_root_certs=ca) as quiver:
    out["datasets"] = sorted([d["name"], d["rows"]] for d in quiver.datasets())
    dataset = quiver.read(spec["dataset"])
    out["read"] = {"rows": dataset.num_rows, "idSum": pc.sum(dataset["id"]).as_py()}

    scan = quiver.sql(spec["scan"])
    out["scan"] = {"rows": scan.num_rows, "idSum": pc.sum(scan["id"]).as_py(),
                   "nodes": len({e.locations[0].uri for e in quiver.info(spec["scan"]).endpoints
                                 if e.locations})}

    answer = quiver.sql(spec["aggregate"])
    out["aggregate"] = rows(answer)
    out["flightSql"] = rows(quiver.fetch(
        flight.FlightDescriptor.for_command(flight_sql_statement(spec["aggregate"]))))
    if pandas is not None:
        frame = answer.to_pandas()
        out["pandas"] = {"version": pandas.__version__, "rows": len(frame),
                         "total": int(frame["total"].sum()), "n": int(frame["n"].sum())}
    else:
        out["pandas"] = {"missing": pandas_missing}
    if polars is not None:
        frame = polars.from_arrow(answer)
        out["polars"] = {"version": polars.__version__, "rows": frame.height,
                         "total": int(frame["total"].sum()), "n": int(frame["n"].sum())}
    else:
        out["polars"] = {"missing": polars_missing}

    if spec.get("shared"):
        allocated = pa.total_allocated_bytes()
        with quiver.shared_sql(spec["scan"]) as table:
            out["shared"] = {"rows": table.num_rows, "idSum": pc.sum(table["id"]).as_py(),
                             "tableBytes": table.nbytes,
                             "allocatedBytes": pa.total_allocated_bytes() - allocated}
        with quiver.shared_sql(spec["aggregate"]) as table:
            out["sharedAggregate"] = rows(table)

    out["badQuery"] = error(lambda: quiver.sql("SELECT nope FROM " + spec["dataset"]))

if spec.get("wrongPassword"):
    out["wrongPassword"] = error(lambda: Quiver(spec["uri"], user=spec.get("user"),
                                                password=spec["wrongPassword"], tls_root_certs=ca))
print(json.dumps(out))
