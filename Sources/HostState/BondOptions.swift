/// Bonding modes by the kernel's numbers (IFLA_BOND_MODE).
public enum BondMode: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case balanceRR = 0, activeBackup, balanceXOR, broadcast, lacp, balanceTLB, balanceALB

    public var description: String {
        ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"][Int(rawValue)]
    }

    public init?(name: String) {
        guard let mode = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = mode
    }

    /// Modes that hash flows over the members (xmit_hash_policy applies).
    public var hashes: Bool { self == .balanceXOR || self == .lacp || self == .balanceTLB }
    /// Modes with one active member (primary applies).
    public var hasPrimary: Bool { self == .activeBackup || self == .balanceTLB || self == .balanceALB }
}

/// xmit_hash_policy by the kernel's numbers.
public enum XmitHashPolicy: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case layer2 = 0, layer34, layer23, encap23, encap34, vlanSrcMAC

    public var description: String {
        ["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"][Int(rawValue)]
    }

    public init?(name: String) {
        guard let p = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = p
    }
}

/// Options of a bond master (IFLA_BOND_*), read by a kind-filtered dump.
public struct BondOptions: Hashable, Sendable, Codable {
    public var mode: BondMode
    public var miimon: UInt32
    /// 802.3ad LACPDU rate: false slow (30 s), true fast (1 s).
    public var lacpFast: Bool
    public var xmitHashPolicy: XmitHashPolicy
    /// The preferred active member, by name.
    public var primary: String?

    public init(mode: BondMode, miimon: UInt32 = 0, lacpFast: Bool = false, xmitHashPolicy: XmitHashPolicy = .layer2, primary: String? = nil) {
        self.mode = mode
        self.miimon = miimon
        self.lacpFast = lacpFast
        self.xmitHashPolicy = xmitHashPolicy
        self.primary = primary
    }

    enum CodingKeys: String, CodingKey { case mode, miimon, lacpFast = "lacp_fast", xmitHashPolicy = "xmit_hash_policy", primary }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(BondMode.self, forKey: .mode) ?? .balanceRR
        miimon = try c.decodeIfPresent(UInt32.self, forKey: .miimon) ?? 0
        lacpFast = try c.decodeIfPresent(Bool.self, forKey: .lacpFast) ?? false
        xmitHashPolicy = try c.decodeIfPresent(XmitHashPolicy.self, forKey: .xmitHashPolicy) ?? .layer2
        primary = try c.decodeIfPresent(String.self, forKey: .primary)
    }
}

/// Both enums read and write as their kernel names ("802.3ad", "layer3+4") in JSON.
func decodeKernelName<T: CaseIterable & CustomStringConvertible>(_ decoder: Decoder) throws -> T {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let value = T.allCases.first(where: { $0.description == name }) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown value \(name)"))
    }
    return value
}

func encodeKernelName<T: CustomStringConvertible>(_ value: T, _ encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(value.description)
}

extension BondMode: Codable {
    public init(from decoder: Decoder) throws { self = try decodeKernelName(decoder) }
    public func encode(to encoder: Encoder) throws { try encodeKernelName(self, encoder) }
}

extension XmitHashPolicy: Codable {
    public init(from decoder: Decoder) throws { self = try decodeKernelName(decoder) }
    public func encode(to encoder: Encoder) throws { try encodeKernelName(self, encoder) }
}
