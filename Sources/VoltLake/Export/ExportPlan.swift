import Foundation

/// The formats `voltlake export` writes.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case json, csv
}

/// Where the rows come from.
public enum ExportSource: Sendable, Hashable {
    /// A table (or `schema.table`) from configuration; its name goes through `SQLIdentifier.qualifiedTable`.
    case table(String)
    /// One SELECT statement given by the user, run inside the read-only snapshot.
    case query(String)

    /// How the source is named in object metadata and the manifest.
    public var label: String {
        switch self {
        case .table(let name): return name
        case .query: return "query"
        }
    }
}

/// What one export run is asked to do. The run time is fixed once, at the edge.
public struct ExportOptions: Sendable {
    public var source: ExportSource
    /// The formats to write, in order, without repeats.
    public var formats: [ExportFormat]
    /// The key prefix, e.g. `raw/components/` (a missing trailing `/` is added).
    public var prefix: String
    /// What a NULL is written as in CSV; empty means PostgreSQL's convention (an unquoted empty field).
    public var csvNull: String
    /// The one UTC instant that names the files and the `dt=` partition.
    public var runTime: Date

    public init(
        source: ExportSource, formats: [ExportFormat] = ExportFormat.allCases, prefix: String = "raw/components/",
        csvNull: String = "", runTime: Date = Date()
    ) {
        self.source = source
        var seen = Set<ExportFormat>()
        self.formats = formats.filter { seen.insert($0).inserted }
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.csvNull = csvNull
        self.runTime = runTime
    }

    /// The keys this run writes, all from the one run time.
    public var keys: ExportKeys { ExportKeys(prefix: prefix, runTime: runTime) }
}

/// The object keys of one run: `components_YYYYMMDD_HHMMSS.json`, `dt=YYYY-MM-DD/components.csv` and
/// `manifests/run_YYYYMMDD_HHMMSS.json` under the prefix.
public struct ExportKeys: Sendable, Hashable {
    public var runID: String
    public var json: String
    public var csv: String
    public var manifest: String
    /// ISO 8601 UTC, whole seconds: `2025-01-31T12:00:00Z`.
    public var exportedAt: String

    public init(prefix: String, runTime: Date) {
        let stamp = RunStamp(runTime)
        let day = stamp.day
        runID = stamp.compact
        json = "\(prefix)components_\(runID).json"
        csv = "\(prefix)dt=\(day)/components.csv"
        manifest = "\(prefix)manifests/run_\(runID).json"
        exportedAt = stamp.iso8601
    }

    public func key(for format: ExportFormat) -> String {
        switch format {
        case .json: return json
        case .csv: return csv
        }
    }
}

/// A column of the export: its name and PostgreSQL type as `format_type` spells it.
public struct ExportColumn: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    /// The type's OID (17 is bytea, which JSON carries as base64).
    var oid: UInt32

    public init(name: String, type: String, oid: UInt32) {
        self.name = name
        self.type = type
        self.oid = oid
    }

    /// bool, char(n), inet and cidr: `::text` is not their output text.
    var castDiffersFromOutput: Bool { [16, 1042, 869, 650].contains(oid) }

    enum CodingKeys: String, CodingKey { case name, type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        oid = 0
    }
}

/// What a run will do, known before anything is written; `--dry-run` prints it.
public struct ExportPlan: Sendable, Encodable {
    public struct Object: Sendable, Encodable {
        public var key: String
        public var format: ExportFormat
    }

    public var bucket: String
    public var source: ExportSourceInfo
    public var columns: [ExportColumn]
    /// Rows in the snapshot (`SELECT count(*)` inside the same transaction).
    public var rowCount: Int64
    public var objects: [Object]
    public var manifestKey: String
    public var exportedAt: String

    enum CodingKeys: String, CodingKey {
        case bucket, source, columns, objects
        case rowCount = "row_count"
        case manifestKey = "manifest_key"
        case exportedAt = "exported_at"
    }
}

/// Where the data came from, as written into the JSON metadata and the manifest (never the password).
public struct ExportSourceInfo: Sendable, Codable, Hashable {
    public var host: String
    public var port: Int
    public var database: String
    public var table: String?
    public var query: String?
}
