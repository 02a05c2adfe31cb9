/// Collects the headers to sign and renders the canonical header block and the signed-header list.
struct CanonicalHeaders {
    private var entries: [(name: [UInt8], value: [UInt8], order: Int)] = []

    /// Names the signer sets itself when signing headers; the caller's copies are ignored.
    static let headerSigningReserved: Set<[UInt8]> = Set(
        ["host", "authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"].map { Array($0.utf8) })
    /// Names ignored when presigning.
    static let presignReserved: Set<[UInt8]> = Set(["host", "authorization"].map { Array($0.utf8) })

    init(host: String, capacity: Int) {
        entries.reserveCapacity(capacity)
        var value: [UInt8] = []
        Encoding.appendTrimmedValue(host, to: &value)
        entries.append((Array("host".utf8), value, 0))
    }

    /// The block for a request that signs only `host` (the common presign).
    static func hostOnly(_ host: String) -> (canonical: [UInt8], signed: [UInt8]) {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(host.utf8.count + 6)
        canonical.append(contentsOf: hostPrefix)
        Encoding.appendTrimmedValue(host, to: &canonical)
        canonical.append(0x0A)
        return (canonical, hostName)
    }

    private static let hostPrefix = Array("host:".utf8)
    private static let hostName = Array("host".utf8)

    mutating func add(_ headers: [HTTPField], excluding reserved: Set<[UInt8]>) {
        for header in headers {
            let name = Encoding.headerName(header.name)
            if reserved.contains(name) { continue }
            var value: [UInt8] = []
            value.reserveCapacity(header.value.utf8.count)
            Encoding.appendTrimmedValue(header.value, to: &value)
            entries.append((name, value, entries.count))
        }
    }

    /// Adds an already canonical name and value.
    mutating func add(_ name: [UInt8], _ value: [UInt8]) {
        entries.append((name, value, entries.count))
    }

    /// "name:value\n" lines sorted by name (repeated names joined with ","), and "a;b;c".
    func build() -> (canonical: [UInt8], signed: [UInt8]) {
        let sorted = entries.sorted { lhs, rhs in
            lhs.name == rhs.name ? lhs.order < rhs.order : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        var canonical: [UInt8] = []
        var signed: [UInt8] = []
        canonical.reserveCapacity(sorted.reduce(0) { $0 + $1.name.count + $1.value.count + 2 })
        signed.reserveCapacity(sorted.reduce(0) { $0 + $1.name.count + 1 })
        var previous: [UInt8]? = nil
        for entry in sorted {
            if entry.name == previous {
                canonical.removeLast()  // the "\n"
                canonical.append(UInt8(ascii: ","))
            } else {
                if previous != nil { signed.append(UInt8(ascii: ";")) }
                signed.append(contentsOf: entry.name)
                canonical.append(contentsOf: entry.name)
                canonical.append(UInt8(ascii: ":"))
            }
            canonical.append(contentsOf: entry.value)
            canonical.append(0x0A)
            previous = entry.name
        }
        return (canonical, signed)
    }
}
