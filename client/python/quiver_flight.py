"""Quiver from Python with pyarrow alone: datasets, SQL, shared-memory results (docs/python.md).

Tested with pyarrow 25.0.1 against real nodes (PythonClientTest); copy this file next to your code.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.flight as flight


def flight_sql_statement(query):
    """The Flight SQL command for query (a CommandStatementQuery in a protobuf Any), packed by hand:
    pyarrow has no Flight SQL client. Quiver plans it as it plans the plain SQL text."""

    def field(number, data):  # a length-delimited protobuf field
        length, size = len(data), b""
        while True:
            size += bytes([(length & 0x7F) | (0x80 if length > 0x7F else 0)])
            length >>= 7
            if not length:
                return bytes([number << 3 | 2]) + size + data

    statement = field(1, query.encode())  # CommandStatementQuery.query
    type_url = b"type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery"
    return field(1, type_url) + field(2, statement)  # Any.type_url, Any.value


class Quiver:
    """A connection to a node; answers are pyarrow Tables read from every node they live on.

    user and password: a node with a users file (Basic once per node, then its bearer token);
    token: an OIDC issuer's JWT, sent as a bearer token; tls_root_certs: PEM bytes of the CA to
    trust for grpc+tls:// (default: the system's).
    """

    def __init__(self, uri, user=None, password=None, token=None, tls_root_certs=None):
        self.uri = uri
        self._credentials = (user, password, token)
        self._tls = {"tls_root_certs": tls_root_certs} if tls_root_certs else {}
        self._nodes = {}
        self._lock = threading.Lock()
        self._node(uri)  # connects and authenticates now: a wrong password fails here

    def _node(self, uri):
        """The client of the node at uri and the call options that authenticate to it."""
        with self._lock:
            if uri not in self._nodes:
                client = flight.connect(uri, **self._tls)
                user, password, token = self._credentials
                headers = []
                if token:
                    headers = [(b"authorization", b"Bearer " + token.encode())]
                elif user:
                    headers = [client.authenticate_basic_token(user, password)]
                self._nodes[uri] = (client, flight.FlightCallOptions(headers=headers))
            return self._nodes[uri]

    def datasets(self):
        """One dict per dataset of the cluster: name, rows, bytes and the Arrow schema."""
        client, options = self._node(self.uri)
        return [{"name": info.descriptor.path[0].decode(), "rows": info.total_records,
                 "bytes": info.total_bytes, "schema": info.schema}
                for info in client.list_flights(options=options)]

    def read(self, dataset):
        """A whole dataset, as a pyarrow Table."""
        return self.fetch(flight.FlightDescriptor.for_path(dataset))

    def sql(self, query):
        """A query's answer, as a pyarrow Table: the SQL text is the Flight command."""
        return self.fetch(flight.FlightDescriptor.for_command(query))

    def info(self, query):
        """A query's FlightInfo: its schema and endpoints (each on a node), nothing read yet."""
        client, options = self._node(self.uri)
        return client.get_flight_info(flight.FlightDescriptor.for_command(query), options)

    def fetch(self, descriptor):
        """What any descriptor names (a dataset, SQL text, a Flight SQL command) as one Table."""
        client, options = self._node(self.uri)
        info = client.get_flight_info(descriptor, options)

        def read(endpoint):
            # An endpoint names the node that serves it; none means the node that answered.
            uri = endpoint.locations[0].uri.decode() if endpoint.locations else self.uri
            node, node_options = self._node(uri)
            return node.do_get(endpoint.ticket, node_options).read_all()

        with ThreadPoolExecutor(max_workers=4) as pool:
            tables = list(pool.map(read, info.endpoints))
        return pa.concat_tables(tables) if tables else info.schema.empty_table()

    def action(self, name, body=None):
        """Runs a node action (health, datasets, queries, shm-...) with a JSON body; its JSON."""
        client, options = self._node(self.uri)
        results = client.do_action(flight.Action(name, json.dumps(body or {}).encode()), options)
        return json.loads(next(iter(results)).body.to_pybytes())

    @contextmanager
    def shared_sql(self, query):
        """A query's answer from the node's shared-memory store, for a client on the node's host.

        Yields a Table whose buffers are the node's Arrow IPC file, mapped read-only (no copy);
        use it inside the with block only: the object is released at its end.
        """
        with open(self.action("shm-info")["nonceFile"]) as file:
            nonce = file.read()  # proves that this process shares the node's file system
        object_id = self.action("shm-query", {"sql": query, "nonce": nonce})["id"]
        answer = self.action("shm-get", {"id": object_id, "nonce": nonce})  # waits until sealed
        try:
            with pa.memory_map(answer["path"]) as source:
                yield pa.ipc.open_file(source).read_all()
        finally:
            self.action("shm-release", {"id": object_id, "nonce": nonce})

    def close(self):
        with self._lock:
            for client, _ in self._nodes.values():
                client.close()
            self._nodes.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
