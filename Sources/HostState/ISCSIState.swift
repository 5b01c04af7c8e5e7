/// An iSCSI portal: the target's address and TCP port (3260 unless given).
public struct ISCSIPortal: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16 = 3260) {
        self.address = address
        self.port = port
    }

    /// `192.0.2.10`, `192.0.2.10:3260`, `[2001:db8::1]:3260` or `192.0.2.10,3260` (iscsiadm's form).
    public init?(_ text: String) {
        var host = text
        var port: UInt16 = 3260
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" || rest.first == ",", let p = UInt16(rest.dropFirst()), p > 0 else { return nil }
                port = p
            }
        } else if text.filter({ $0 == ":" }).count == 1 || text.contains(",") {
            let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "," })
            guard parts.count == 2, let p = UInt16(parts[1]), p > 0 else { return nil }
            host = String(parts[0])
            port = p
        }
        guard let prefix = IPPrefix(host, defaultPrefix: host.contains(":") ? 128 : 32), !host.contains("/") else { return nil }
        self.init(address: prefix.address, port: port)
    }

    /// As iscsiadm takes it after `-p`.
    public var argument: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
    public var description: String { argument }

    public static func < (a: ISCSIPortal, b: ISCSIPortal) -> Bool { (a.address, a.port) < (b.address, b.port) }
}

/// An open-iscsi iface record (`iscsiadm -m iface`): which NIC a session is bound to.
public struct ISCSIIface: Hashable, Codable, Sendable {
    public var name: String
    public var transport: String
    public var netIfaceName: String?
    public var hwAddress: String?
    public var initiatorName: String?

    public init(name: String, transport: String = "tcp", netIfaceName: String? = nil, hwAddress: String? = nil, initiatorName: String? = nil) {
        self.name = name
        self.transport = transport
        self.netIfaceName = netIfaceName
        self.hwAddress = hwAddress
        self.initiatorName = initiatorName
    }
}

/// The identity of a node record and of the session it logs in: (iface, portal, target).
public struct ISCSINodeKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var iface: String
    public var portal: ISCSIPortal
    public var target: String

    public init(iface: String, portal: ISCSIPortal, target: String) {
        self.iface = iface
        self.portal = portal
        self.target = target
    }

    public var description: String { "\(target) via \(portal) on \(iface)" }

    public static func < (a: ISCSINodeKey, b: ISCSINodeKey) -> Bool { (a.iface, a.portal, a.target) < (b.iface, b.portal, b.target) }
}

/// A node record with the settings poolnet manages (other keys are left to iscsid.conf).
public struct ISCSINodeRecord: Hashable, Codable, Sendable {
    public var key: ISCSINodeKey
    public var settings: [String: String]

    public init(key: ISCSINodeKey, settings: [String: String] = [:]) {
        self.key = key
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey { case key, settings }

    /// Settings by key, sorted: a dictionary encodes in hash order, which changes from run to run,
    /// and a journal step must be the same line each time it is written.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        var nested = c.nestedContainer(keyedBy: SettingKey.self, forKey: .settings)
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { try nested.encode(value, forKey: SettingKey(name)) }
    }

    struct SettingKey: CodingKey {
        var stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}

/// A live session, from /sys/class/iscsi_session and /sys/class/iscsi_connection.
public struct ISCSISession: Hashable, Codable, Sendable {
    public var id: Int
    public var key: ISCSINodeKey
    /// LOGGED_IN, FAILED, FREE (the kernel's words).
    public var state: String
    /// The live replacement_timeout.
    public var recoveryTimeout: Int?
    /// The SCSI host this session created (software iSCSI: one per session).
    public var scsiHost: Int?
    public var initiatorName: String?
    /// Block devices (sdX) of the LUNs seen through this session.
    public var disks: [SCSIDisk]

    enum CodingKeys: String, CodingKey { case id, key, state, recoveryTimeout, scsiHost, initiatorName, disks }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        key = try c.decode(ISCSINodeKey.self, forKey: .key)
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? "LOGGED_IN"
        recoveryTimeout = try c.decodeIfPresent(Int.self, forKey: .recoveryTimeout)
        scsiHost = try c.decodeIfPresent(Int.self, forKey: .scsiHost)
        initiatorName = try c.decodeIfPresent(String.self, forKey: .initiatorName)
        disks = try c.decodeIfPresent([SCSIDisk].self, forKey: .disks) ?? []
    }

    public init(id: Int, key: ISCSINodeKey, state: String, recoveryTimeout: Int? = nil, scsiHost: Int? = nil,
                initiatorName: String? = nil, disks: [SCSIDisk] = []) {
        self.id = id
        self.key = key
        self.state = state
        self.recoveryTimeout = recoveryTimeout
        self.scsiHost = scsiHost
        self.initiatorName = initiatorName
        self.disks = disks
    }
}

/// A SCSI disk and what sits on it: a multipath map, and what holds that map (LVM, a mount).
public struct SCSIDisk: Hashable, Codable, Sendable {
    public var device: String
    public var hctl: String
    /// Devices holding this disk (e.g. dm-0 for the multipath map).
    public var holders: [String]
    /// Devices holding those holders: non-empty means the LUN is in use above multipath.
    public var upperHolders: [String]

    public init(device: String, hctl: String, holders: [String] = [], upperHolders: [String] = []) {
        self.device = device
        self.hctl = hctl
        self.holders = holders
        self.upperHolders = upperHolders
    }

    /// Used by something other than the multipath map itself.
    public var inUse: Bool { !upperHolders.isEmpty || holders.contains { !$0.hasPrefix("dm-") } }

    /// `sdb (held by dm-2)`: the device and what uses it, for refusals.
    public var heldByDescription: String { "\(device) (held by \((upperHolders.isEmpty ? holders : upperHolders).joined(separator: ", ")))" }
}

/// One path as multipathd sees it (`show paths raw format`).
public struct MultipathPath: Hashable, Codable, Sendable {
    public var device: String
    public var wwid: String
    public var hctl: String
    /// dm state: active, failed, undef.
    public var dmState: String
    /// checker state: ready, faulty, shaky, ghost, undef.
    public var checkerState: String
    /// The map's name, or `[orphan]`.
    public var map: String

    public init(device: String, wwid: String, hctl: String, dmState: String, checkerState: String, map: String) {
        self.device = device
        self.wwid = wwid
        self.hctl = hctl
        self.dmState = dmState
        self.checkerState = checkerState
        self.map = map
    }

    public var isOrphan: Bool { map == "[orphan]" || map.isEmpty }
    public var isActive: Bool { dmState == "active" && checkerState == "ready" }
}

/// One multipath map (`show maps raw format`).
public struct MultipathMap: Hashable, Codable, Sendable {
    public var name: String
    public var wwid: String
    public var dmDevice: String
    public var activePaths: Int

    public init(name: String, wwid: String, dmDevice: String, activePaths: Int) {
        self.name = name
        self.wwid = wwid
        self.dmDevice = dmDevice
        self.activePaths = activePaths
    }
}

/// Everything poolnet reads about iSCSI and multipath on a host.
public struct ISCSIState: Codable, Sendable, Equatable {
    /// `InitiatorName=` of /etc/iscsi/initiatorname.iscsi.
    public var initiatorName: String?
    /// Iface records, without open-iscsi's built-in `default` and `iser`.
    public var ifaces: [ISCSIIface]
    public var nodes: [ISCSINodeRecord]
    public var sessions: [ISCSISession]
    /// Iface names poolnet created or adopted (the ownership record).
    public var ownedIfaces: Set<String>
    /// Iface names another pool on this host recorded, with that pool: never used, adopted or
    /// pruned by this one. Not encoded (a read of the record, not of the host).
    public var otherPoolsIfaces: [String: String] = [:]
    /// The content of poolnet's multipath drop-in, nil when absent.
    public var multipathConfig: String?
    /// nil when multipathd does not answer.
    public var multipathPaths: [MultipathPath]?
    public var multipathMaps: [MultipathMap]?
    /// The `defaults` section of multipathd's effective configuration (`show config`).
    public var multipathDefaults: [String: String]?
    /// Whether iscsid listens (its abstract socket is in this namespace).
    public var iscsidRunning: Bool = true

    enum CodingKeys: String, CodingKey {
        case initiatorName, ifaces, nodes, sessions, ownedIfaces, multipathConfig, multipathPaths, multipathMaps, iscsidRunning, multipathDefaults
    }

    /// Lenient, so hand-written fixtures may leave out what is empty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initiatorName = try c.decodeIfPresent(String.self, forKey: .initiatorName)
        ifaces = try c.decodeIfPresent([ISCSIIface].self, forKey: .ifaces) ?? []
        nodes = try c.decodeIfPresent([ISCSINodeRecord].self, forKey: .nodes) ?? []
        sessions = try c.decodeIfPresent([ISCSISession].self, forKey: .sessions) ?? []
        ownedIfaces = try c.decodeIfPresent(Set<String>.self, forKey: .ownedIfaces) ?? []
        multipathConfig = try c.decodeIfPresent(String.self, forKey: .multipathConfig)
        multipathPaths = try c.decodeIfPresent([MultipathPath].self, forKey: .multipathPaths)
        multipathMaps = try c.decodeIfPresent([MultipathMap].self, forKey: .multipathMaps)
        iscsidRunning = try c.decodeIfPresent(Bool.self, forKey: .iscsidRunning) ?? true
        multipathDefaults = try c.decodeIfPresent([String: String].self, forKey: .multipathDefaults)
    }

    public init(initiatorName: String? = nil, ifaces: [ISCSIIface] = [], nodes: [ISCSINodeRecord] = [], sessions: [ISCSISession] = [],
                ownedIfaces: Set<String> = [], multipathConfig: String? = nil, multipathPaths: [MultipathPath]? = nil,
                multipathMaps: [MultipathMap]? = nil) {
        self.initiatorName = initiatorName
        self.ifaces = ifaces
        self.nodes = nodes
        self.sessions = sessions
        self.ownedIfaces = ownedIfaces
        self.multipathConfig = multipathConfig
        self.multipathPaths = multipathPaths
        self.multipathMaps = multipathMaps
    }
}
