/// Checks `Authorization: Bearer <token>`; the token is compared in constant time.
struct BearerToken: Sendable {
    private let token: [UInt8]

    init(_ token: String) {
        self.token = Array(token.utf8)
    }

    /// True when `header` is "Bearer <token>" (scheme case-insensitive). The comparison touches every
    /// byte of the token whatever the input, so timing does not reveal how much of it matched.
    func accepts(_ header: String?) -> Bool {
        guard let header else { return false }
        let bytes = header.utf8
        guard bytes.count > 7 else { return false }
        let scheme = bytes.prefix(7).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        guard scheme.elementsEqual("bearer ".utf8) else { return false }
        let given = bytes.dropFirst(7)
        var difference = UInt8(given.count == token.count ? 0 : 1)
        var iterator = given.makeIterator()
        for byte in token {
            difference |= byte ^ (iterator.next() ?? 0)
        }
        return difference == 0
    }
}
