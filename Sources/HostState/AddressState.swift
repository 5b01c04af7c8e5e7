/// One IP address on an interface, as read from the kernel.
public struct AddressState: Hashable, Sendable, Codable {
    public var link: String
    public var prefix: IPPrefix
    /// IFA_PROTO: who added the address. poolnet marks its own with `Ownership.addressProtocol`.
    public var proto: UInt8
    /// Flags, lifetimes, broadcast, label and metric, as the dump read them (nil when not read):
    /// what a re-mark must keep. Not part of the address's identity, equality or JSON (a dynamic
    /// address's lifetimes tick, and DAD clears a flag, between two reads of the same address).
    public var details: AddressDetails?

    public init(link: String, prefix: IPPrefix, proto: UInt8 = 0, details: AddressDetails? = nil) {
        self.link = link
        self.prefix = prefix
        self.proto = proto
        self.details = details
    }

    public static func == (a: AddressState, b: AddressState) -> Bool { a.link == b.link && a.prefix == b.prefix && a.proto == b.proto }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(link)
        hasher.combine(prefix)
        hasher.combine(proto)
    }

    enum CodingKeys: String, CodingKey { case link, prefix, proto, details }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        link = try c.decode(String.self, forKey: .link)
        prefix = try c.decode(IPPrefix.self, forKey: .prefix)
        proto = try c.decodeIfPresent(UInt8.self, forKey: .proto) ?? 0
        // Read from test fixtures; never written (see `details`).
        details = try c.decodeIfPresent(AddressDetails.self, forKey: .details)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(link, forKey: .link)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(proto, forKey: .proto)
    }
}

/// An address on a link, as a set's element: hashed as it is, never spelled out as text.
public struct LinkAddress: Hashable, Sendable {
    public var link: String
    public var prefix: IPPrefix

    public init(link: String, prefix: IPPrefix) {
        self.link = link
        self.prefix = prefix
    }
}
