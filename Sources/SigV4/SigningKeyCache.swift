import Crypto
import Foundation
import Synchronization

/// Caches, per signer, the derived signing key (as a keyed HMAC, ready to copy) for the current
/// day and the formatted timestamp for the current second. Derivation runs once per UTC day.
final class SigningKeyCache: Sendable {
    private struct State: Sendable {
        var day: Int64 = .min
        var signingHMAC: HMAC<SHA256>?
        var amzDate: AmzDate?
    }

    private let state = Mutex(State())
    private let secretKey: [UInt8]  // "AWS4" + secret
    private let region: [UInt8]
    private let service: [UInt8]

    init(secretAccessKey: String, region: String, service: String) {
        self.secretKey = Array("AWS4".utf8) + Array(secretAccessKey.utf8)
        self.region = Array(region.utf8)
        self.service = Array(service.utf8)
    }

    /// The timestamp for `date` and a keyed HMAC for its day's signing key.
    func prepare(_ date: Date) -> (AmzDate, HMAC<SHA256>) {
        let second = AmzDate.epochSecond(of: date)
        return state.withLock { state in
            let amzDate: AmzDate
            if let cached = state.amzDate, cached.epochSecond == second {
                amzDate = cached
            } else {
                amzDate = AmzDate(epochSecond: second)
                state.amzDate = amzDate
            }
            if state.day == amzDate.day, let hmac = state.signingHMAC {
                return (amzDate, hmac)
            }
            let hmac = HMAC<SHA256>(key: SymmetricKey(data: signingKey(dateStamp: amzDate.dateStamp)))
            state.day = amzDate.day
            state.signingHMAC = hmac
            return (amzDate, hmac)
        }
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    func signingKey(dateStamp: ArraySlice<UInt8>) -> [UInt8] {
        func mac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
        let kDate = mac(secretKey, Array(dateStamp))
        let kRegion = mac(kDate, region)
        let kService = mac(kRegion, service)
        return mac(kService, Array("aws4_request".utf8))
    }
}
