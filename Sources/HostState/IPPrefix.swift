#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemCalls

/// An IPv4 or IPv6 address with a prefix length, as in `ip addr add 192.0.2.11/24`.
/// Stored as raw bytes so comparison and subnet arithmetic need no string parsing.
public struct IPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public enum Family: String, Sendable, Codable { case ipv4, ipv6 }

    public let bytes: [UInt8]
    public let prefixLength: Int

    public var family: Family { bytes.count == 4 ? .ipv4 : .ipv6 }
    public var maxPrefixLength: Int { bytes.count * 8 }

    public init(bytes: [UInt8], prefixLength: Int) {
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// Parses `ADDR/LEN`; with `defaultPrefix`, a bare `ADDR` is accepted too.
    public init?(_ text: String, defaultPrefix: Int? = nil) {
        // Split by bytes: splitting Characters was a twentieth of resolving a 1,000-NIC file.
        let utf8 = text.utf8
        let slash = utf8.firstIndex(of: UInt8(ascii: "/"))
        guard let raw = IPPrefix.parseAddress(slash.map { String(text[..<$0]) } ?? text) else { return nil }
        let length: Int
        if let slash {
            // Canonical decimal only, as `String(Int(x)!) == x` demanded: digits, no leading zero.
            let digits = utf8[utf8.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                  digits.count == 1 || digits.first != 0x30 else { return nil }
            let n = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard n <= raw.count * 8 else { return nil }
            length = n
        } else if let defaultPrefix {
            guard defaultPrefix <= raw.count * 8 else { return nil }
            length = defaultPrefix
        } else {
            return nil
        }
        self.init(bytes: raw, prefixLength: length)
    }

    /// The address alone, in canonical text form (`2001:db8::1`, `192.0.2.1`).
    public var address: String { IPPrefix.format(bytes) }
    public var description: String { "\(address)/\(prefixLength)" }

    /// The network this prefix belongs to (host bits cleared).
    public var network: IPPrefix {
        var out = bytes
        for i in 0..<out.count {
            let bitsBefore = i * 8
            if bitsBefore >= prefixLength { out[i] = 0 }
            else if prefixLength - bitsBefore < 8 { out[i] &= UInt8(0xFF << (8 - (prefixLength - bitsBefore)) & 0xFF) }
        }
        return IPPrefix(bytes: out, prefixLength: prefixLength)
    }

    /// True when `other`'s address lies inside this prefix's network.
    public func contains(_ other: IPPrefix) -> Bool {
        guard other.bytes.count == bytes.count else { return false }
        return IPPrefix(bytes: other.bytes, prefixLength: prefixLength).network.bytes == network.bytes
    }

    public var isNetworkAddress: Bool { hostBits(allOnes: false) }
    /// Whether the address is its subnet's broadcast address (host bits all ones).
    public var isBroadcastAddress: Bool { hostBits(allOnes: true) }

    /// Whether every bit past the prefix length is one (or zero), without building the network.
    func hostBits(allOnes: Bool) -> Bool {
        for (i, byte) in bytes.enumerated() {
            let networkBits = max(0, min(8, prefixLength - i * 8))
            let hostMask: UInt8 = networkBits == 8 ? 0 : 0xFF >> networkBits
            if byte & hostMask != (allOnes ? hostMask : 0) { return false }
        }
        return true
    }

    public static func < (a: IPPrefix, b: IPPrefix) -> Bool {
        if a.bytes.count != b.bytes.count { return a.bytes.count < b.bytes.count }
        if a.bytes != b.bytes { return a.bytes.lexicographicallyPrecedes(b.bytes) }
        return a.prefixLength < b.prefixLength
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = IPPrefix(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad prefix \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// inet_pton: only dotted quads for IPv4, which is the strictness we want.
    static func parseAddress(_ text: String) -> [UInt8]? { Syscall.parseAddress(text) }

    static func format(_ bytes: [UInt8]) -> String { Syscall.formatAddress(bytes) ?? "?" }
}
