/// A Fibre Channel World Wide Name (64-bit). The kernel prints them as `0x%llx` without padding,
/// files write them as 16 hex digits or colon-separated: compare as integers, print one way.
public struct WWN: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// `0x2101001b32a9da4e`, `21:01:00:1b:32:a9:da:4e` or `2101001b32a9da4e`; nil with the reason.
    public static func parse(_ text: String) -> Result<WWN, WWNError> {
        var hex = text.lowercased()
        if hex.hasPrefix("0x") { hex.removeFirst(2) }
        if hex.contains(":") {
            let parts = hex.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 8, parts.allSatisfy({ $0.count == 2 }) else { return .failure(.format("colon form needs 8 pairs of hex digits")) }
            hex = parts.joined()
        }
        guard hex.allSatisfy(\.isHexDigit) else { return .failure(.format("has characters that are not hex digits")) }
        if hex.count == 32 { return .failure(.naa("is a 128-bit name (NAA 6): vport_create takes 64-bit names; use NAA 1, 2 or 5")) }
        guard hex.count == 16 else { return .failure(.format("needs 16 hex digits (got \(hex.count))")) }
        return .success(WWN(UInt64(hex, radix: 16)!))
    }

    /// From sysfs (`0x%llx`, any padding).
    public init?(sysfs text: String) {
        var hex = text.trimmingSpacesAndNewlines.lowercased()
        if hex.hasPrefix("0x") { hex.removeFirst(2) }
        guard !hex.isEmpty, hex.count <= 16, let v = UInt64(hex, radix: 16) else { return nil }
        value = v
    }

    /// 16 lowercase hex digits, the form vport_create takes.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var description: String { hex }

    /// The Network Address Authority: the top four bits.
    public var naa: Int { Int(value >> 60) }

    public static func < (a: WWN, b: WWN) -> Bool { a.value < b.value }

    /// In JSON: the 16-digit hex form.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard case .success(let w) = WWN.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a WWN: \(text)"))
        }
        self = w
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

public enum WWNError: Error, Equatable, Sendable {
    case format(String)
    case naa(String)

    public var message: String {
        switch self {
        case .format(let m), .naa(let m): return m
        }
    }
}

extension String {
    var trimmingSpacesAndNewlines: String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}

/// A physical (or software FCoE) FC port from /sys/class/fc_host/hostN.
public struct FCHost: Hashable, Codable, Sendable {
    public var name: String
    public var portName: WWN
    public var nodeName: WWN?
    public var permanentPortName: WWN?
    /// Online, Offline, Linkdown, … (the kernel's words).
    public var portState: String
    /// nil when the driver does not report them.
    public var maxVPorts: Int?
    public var vportsInUse: Int?
    /// `vport_create` exists: the driver can create NPIV ports.
    public var canCreateVPorts: Bool

    public init(name: String, portName: WWN, nodeName: WWN? = nil, permanentPortName: WWN? = nil, portState: String = "Online",
                maxVPorts: Int? = nil, vportsInUse: Int? = nil, canCreateVPorts: Bool = true) {
        self.name = name
        self.portName = portName
        self.nodeName = nodeName
        self.permanentPortName = permanentPortName
        self.portState = portState
        self.maxVPorts = maxVPorts
        self.vportsInUse = vportsInUse
        self.canCreateVPorts = canCreateVPorts
    }
}

/// An NPIV port from /sys/class/fc_vports/vport-H:C-N.
public struct FCVPort: Hashable, Codable, Sendable {
    public var name: String
    /// The fc_host it was created on (`host6`).
    public var parent: String
    public var portName: WWN
    public var nodeName: WWN
    /// Active, Initializing, Linkdown, No Fabric Support, … (the kernel's words).
    public var state: String
    public var symbolicName: String?
    /// Disks behind the vport's own SCSI host (in use: holders above them).
    public var disks: [SCSIDisk]

    public init(name: String, parent: String, portName: WWN, nodeName: WWN, state: String, symbolicName: String? = nil, disks: [SCSIDisk] = []) {
        self.name = name
        self.parent = parent
        self.portName = portName
        self.nodeName = nodeName
        self.state = state
        self.symbolicName = symbolicName
        self.disks = disks
    }
}

/// Fibre Channel as poolnet sees it on one host.
public struct FCState: Codable, Sendable, Equatable {
    public var hosts: [FCHost]
    public var vports: [FCVPort]
    /// WWPNs of the vports poolnet created (sysfs has no owner field).
    public var ownedVPorts: Set<WWN>
    /// WWPNs another pool on this host recorded, with that pool: never used, adopted or pruned
    /// by this one. Not encoded.
    public var otherPoolsVPorts: [WWN: String] = [:]

    enum CodingKeys: String, CodingKey { case hosts, vports, ownedVPorts }

    /// Lenient, so hand-written fixtures may leave out what is empty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hosts = try c.decodeIfPresent([FCHost].self, forKey: .hosts) ?? []
        vports = try c.decodeIfPresent([FCVPort].self, forKey: .vports) ?? []
        ownedVPorts = try c.decodeIfPresent(Set<WWN>.self, forKey: .ownedVPorts) ?? []
    }

    public init(hosts: [FCHost] = [], vports: [FCVPort] = [], ownedVPorts: Set<WWN> = []) {
        self.hosts = hosts
        self.vports = vports
        self.ownedVPorts = ownedVPorts
    }
}

/// What creating an NPIV port takes, and what deleting one keeps so it can be created again.
public struct NPIVPort: Hashable, Codable, Sendable {
    public var name: String
    public var parent: WWN
    public var wwpn: WWN
    public var wwnn: WWN
    public var symbolicName: String?

    public init(name: String, parent: WWN, wwpn: WWN, wwnn: WWN, symbolicName: String? = nil) {
        self.name = name
        self.parent = parent
        self.wwpn = wwpn
        self.wwnn = wwnn
        self.symbolicName = symbolicName
    }
}
