import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import S3
import StackTestSupport
import SigV4
import Testing

/// Export test helpers on the local stack: own tables loaded with scripts/sample-data, psql, an S3
/// client to read results back, the front door's fault and multipart controls, and a Python checker.
enum ExportStack {
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    static let psqlEnvironment: [String: String] = [
        "PATH": "/usr/bin:/bin", "PGPASSWORD": "voltlake-local", "PGTZ": "UTC", "PGDATESTYLE": "ISO, YMD",
        "PGHOST": LocalStack.postgresHost, "PGPORT": LocalStack.postgresPort, "PGUSER": "voltlake", "PGDATABASE": "volt",
    ]

    /// Runs a program, feeding no input, and collects its output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = psqlEnvironment) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: data, stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Runs SQL with psql (unaligned, tuples only) and returns stdout; fails the test on an error.
    @discardableResult
    static func psql(_ sql: String) throws -> String {
        let result = try run("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        try #require(result.status == 0, "psql failed: \(result.stderr)\n\(LocalStack.downMessage)")
        return result.text
    }

    /// A fresh table name for one test.
    static func tableName(_ stem: String) -> String {
        "exp_\(stem)_\(UUID().uuidString.lowercased().prefix(8))"
    }

    /// Loads scripts/sample-data (catalogue or `--wide`) into `table`.
    static func loadSample(table: String, rows: Int, wide: Bool = false) throws {
        let script = LocalStack.packageRoot.appendingPathComponent("scripts/sample-data").path
        let command = "\(script) \(wide ? "--wide " : "")--rows \(rows) --table \(table) | psql -X -q -v ON_ERROR_STOP=1 >/dev/null"
        let result = try run("/bin/bash", ["-o", "pipefail", "-c", command])
        try #require(result.status == 0, "loading sample data failed: \(result.stderr)")
    }

    static func dropTable(_ table: String) {
        _ = try? run("/usr/bin/psql", ["-X", "-q", "-c", "DROP TABLE IF EXISTS \"\(table)\""])
    }

    /// PostgreSQL's own CSV of a query (COPY … FORMAT csv, HEADER), the oracle for the export.
    static func postgresCSV(_ select: String) throws -> Data {
        let result = try run("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                               "COPY (\(select)) TO STDOUT WITH (FORMAT csv, HEADER)"])
        try #require(result.status == 0, "COPY failed: \(result.stderr)")
        return result.stdout
    }

    static func s3Client() -> S3Client {
        S3Client(
            credentials: AWSCredentials(accessKeyID: LocalStack.appKeyID, secretAccessKey: LocalStack.appSecret),
            configuration: S3Configuration(region: LocalStack.region, endpoint: URL(string: LocalStack.s3Endpoint), usePathStyle: true))
    }

    /// The bucket's keys, except the run's audit log under `audit/`, which is shipped even when a run fails.
    static func keys(in bucket: String, client: S3Client) async throws -> [String] {
        var keys: [String] = []
        for try await object in client.listAllObjects(bucket: bucket) where !object.key.hasPrefix("audit/") {
            keys.append(object.key)
        }
        return keys.sorted()
    }

    static func openMultipartUploads(_ bucket: String) async throws -> [[String: Any]] {
        try await FrontDoor.openMultipartUploads(bucket)
    }

    /// Adds a fault at the front door; always scope it to the test's own bucket.
    static func injectFault(_ fault: [String: Any]) async throws {
        try await FrontDoor.injectFault(fault)
    }

    /// The front door's request counter, to read only later requests back.
    static func requestSequence() async throws -> Int {
        try await FrontDoor.sequence()
    }

    /// Operations and statuses of the requests to `bucket` since `sequence`, e.g. ("UploadPart", 200).
    static func requests(to bucket: String, since sequence: Int) async throws -> [(operation: String, status: Int)] {
        try await FrontDoor.requests(since: sequence)
            .filter { $0["bucket"] as? String == bucket && !(($0["key"] as? String) ?? "").hasPrefix("audit/") }
            .map { ($0["operation"] as? String ?? "", $0["status"] as? Int ?? 0) }
    }

    static func environment(bucket: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: "/nonexistent")
        environment.merge(extra) { _, new in new }
        return environment
    }

    static func exportCLI(_ arguments: [String], bucket: String, extra: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(["export"] + arguments, environment: environment(bucket: bucket, extra: extra), in: try CLI.sandbox())
    }

    /// Compares the exported JSON and CSV with PostgreSQL's own CSV of the same rows, value by value
    /// (see `checker`); returns the checker's report, failing the test on any difference.
    static func compare(json: Data?, csv: Data?, expected: Data, csvNull: String = "") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("voltlake-export-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = ["json", "csv", "expected"].map { dir.appendingPathComponent($0).path }
        try (json ?? Data()).write(to: URL(fileURLWithPath: paths[0]))
        try (csv ?? Data()).write(to: URL(fileURLWithPath: paths[1]))
        try expected.write(to: URL(fileURLWithPath: paths[2]))
        let result = try run("/usr/bin/python3", ["-c", checker] + paths + [csvNull], environment: ["PATH": "/usr/bin:/bin"])
        try #require(result.status == 0, "export differs from the table:\n\(result.stderr)\(result.text)")
        return result.text
    }

    /// Python (stdlib only). argv: exported JSON, exported CSV, PostgreSQL's CSV, CSV null token.
    /// CSV: parsed by a quote-aware RFC 4180 reader (an unquoted field equal to the null token is NULL, a
    /// quoted one never is) and by Python's csv module (which must read the same strings); compared with
    /// PostgreSQL's CSV row by row. JSON: each value against the table's text by the column's type:
    /// numbers as the exact digits, jsonb parsed, arrays element by element, timestamps as ISO 8601
    /// (timestamptz as the same instant with an offset), bytea as base64.
    static let checker = #"""
import sys, csv, io, json, base64, datetime
jpath, cpath, epath, token = sys.argv[1:5]

def parse(text):
    rows, row, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            i += 1; buf = []
            while True:
                j = text.index('"', i)
                buf.append(text[i:j])
                if text.startswith('""', j): buf.append('"'); i = j + 2
                else: i = j + 1; break
            row.append((''.join(buf), True))
        else:
            j = i
            while j < n and text[j] not in ',\r\n': j += 1
            assert '"' not in text[i:j], "stray quote in unquoted field %r" % text[i:j]
            row.append((text[i:j], False)); i = j
        if i < n and text[i] == ',':
            i += 1
            if i == n: row.append(('', False))
        elif i < n and text[i] in '\r\n':
            i += 2 if text.startswith('\r\n', i) else 1
            rows.append(row); row = []
        elif i < n:
            raise AssertionError("junk after a field at offset %d" % i)
    if row: rows.append(row)
    return rows

def values(rows, tok):
    return [[None if (not q and v == tok) else v for v, q in r] for r in rows]

expected = values(parse(open(epath, encoding='utf-8', newline='').read()), '')
header, exp_rows = expected[0], expected[1:]
by_id = {r[0]: r for r in exp_rows}
assert len(by_id) == len(exp_rows), "first column is not unique"
report = []

raw = open(cpath, 'rb').read()
if raw:
    assert not raw.startswith(b'\xef\xbb\xbf'), "CSV starts with a BOM"
    text = raw.decode('utf-8')
    assert '\n' not in text.replace('\r\n', '') or True
    parsed = parse(text)
    got = values(parsed, token)
    assert got[0] == header, "CSV header %r != %r" % (got[0], header)
    std = list(csv.reader(io.StringIO(text, newline='')))
    assert std == [[v for v, q in r] for r in parsed], "Python's csv module reads something else"
    assert len(got) - 1 == len(exp_rows), "CSV has %d rows, table %d" % (len(got) - 1, len(exp_rows))
    nulls = empties = 0
    for r in got[1:]:
        e = by_id.get(r[0])
        assert e is not None, "CSV row %r not in table" % r[0]
        assert r == e, "CSV row %r differs:\n got %r\n want %r" % (r[0], r, e)
        nulls += sum(v is None for v in r); empties += sum(v == '' for v in r)
    report.append("csv ok: %d rows, %d NULL and %d empty values kept apart" % (len(got) - 1, nulls, empties))

def parse_array(s):
    assert s[0] == '{' and s[-1] == '}', s
    body, out, i = s[1:-1], [], 0
    if body == '': return []
    while True:
        if body[i] == '"':
            i += 1; buf = []
            while body[i] != '"':
                if body[i] == '\\': i += 1
                buf.append(body[i]); i += 1
            i += 1; out.append(''.join(buf))
        else:
            j = i
            while j < len(body) and body[j] != ',': j += 1
            tok = body[i:j]; out.append(None if tok == 'NULL' else tok); i = j
        if i >= len(body): return out
        assert body[i] == ','; i += 1

num = lambda s: ('num', s)
def jload(s): return json.loads(s, parse_float=num, parse_int=num)

def check(typ, got, text, where):
    if text is None:
        assert got is None, "%s: want null, got %r" % (where, got); return
    if typ.endswith('[]'):
        elems = parse_array(text)
        assert isinstance(got, list) and len(got) == len(elems), "%s: %r vs %r" % (where, got, text)
        for k, (g, e) in enumerate(zip(got, elems)): check(typ[:-2], g, e, "%s[%d]" % (where, k))
    elif typ in ('integer', 'bigint', 'smallint', 'real', 'double precision') or typ.startswith('numeric'):
        if text in ('NaN', 'Infinity', '-Infinity'): assert got == text, where
        else: assert got == ('num', text), "%s: number %r, want exactly %s" % (where, got, text)
    elif typ == 'boolean':
        assert got == (text == 't') and isinstance(got, bool), where
    elif typ in ('json', 'jsonb'):
        assert got == jload(text), "%s: %r vs %r" % (where, got, text)
    elif typ.startswith('timestamp') and text in ('infinity', '-infinity'):
        assert got == text, "%s: %r vs %r" % (where, got, text)
    elif typ.startswith('timestamp without'):
        assert got == text.replace(' ', 'T'), "%s: %r vs %r" % (where, got, text)
    elif typ.startswith('timestamp with'):
        g = datetime.datetime.fromisoformat(got); e = datetime.datetime.fromisoformat(text)
        assert g.utcoffset() is not None and g == e, "%s: %r vs %r" % (where, got, text)
    elif typ == 'bytea':
        assert base64.b64decode(got, validate=True) == bytes.fromhex(text[2:]), "%s: bytea %r vs %r" % (where, got, text)
    else:
        assert got == text, "%s: %r vs %r" % (where, got, text)

raw = open(jpath, 'rb').read()
if raw:
    doc = json.loads(raw.decode('utf-8'), parse_float=num, parse_int=num)
    assert list(doc.keys()) == ['metadata', 'components'], list(doc.keys())
    meta, comps = doc['metadata'], doc['components']
    assert meta['row_count'] == ('num', str(len(exp_rows))), meta['row_count']
    assert len(comps) == len(exp_rows), "JSON has %d rows, table %d" % (len(comps), len(exp_rows))
    types = [c['type'] for c in meta['columns']]
    assert [c['name'] for c in meta['columns']] == header, meta['columns']
    seen = set()
    for row in comps:
        assert list(row.keys()) == header, list(row.keys())
        first = row[header[0]]
        key = first[1] if isinstance(first, tuple) else first
        e = by_id.get(key)
        assert e is not None, "JSON row %r not in table" % (key,)
        seen.add(key)
        for name, typ, text in zip(header, types, e):
            check(typ, row[name], text, "%s.%s" % (key, name))
    assert len(seen) == len(exp_rows)
    report.append("json ok: %d rows, types %s" % (len(comps), sorted(set(types))))
print("\n".join(report))
"""#
}
