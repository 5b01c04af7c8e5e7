/// One IP address on an interface, as read from the kernel.
public struct AddressState: Hashable, Sendable, Codable {
    public var link: String
    public var prefix: IPPrefix
    /// IFA_PROTO: who added the address. poolnet marks its own with `Ownership.addressProtocol`.
    public var proto: UInt8

    public init(link: String, prefix: IPPrefix, proto: UInt8 = 0) {
        self.link = link
        self.prefix = prefix
        self.proto = proto
    }

    enum CodingKeys: String, CodingKey { case link, prefix, proto }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        link = try c.decode(String.self, forKey: .link)
        prefix = try c.decode(IPPrefix.self, forKey: .prefix)
        proto = try c.decodeIfPresent(UInt8.self, forKey: .proto) ?? 0
    }
}
