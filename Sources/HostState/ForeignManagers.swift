/// Another program that configures network devices on the host, which poolnet must not fight.
public enum ForeignManager: String, Hashable, Codable, Sendable, CaseIterable, Comparable {
    case networkManager = "networkmanager"
    case networkd
    case ifupdown
    case xapi
    case openvswitch

    /// How the pool file and the metric name it.
    public var key: String { rawValue }

    /// How messages name it.
    public var displayName: String {
        switch self {
        case .networkManager: return "NetworkManager"
        case .networkd: return "systemd-networkd"
        case .ifupdown: return "ifupdown"
        case .xapi: return "XAPI (xcp-networkd)"
        case .openvswitch: return "Open vSwitch"
        }
    }

    /// The managers poolnet can hand a device over from with a drop-in of its own.
    public var supportsHandOver: Bool { self == .networkManager || self == .networkd }

    public static func < (a: ForeignManager, b: ForeignManager) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One device that another manager claims, with the read that shows it.
public struct ForeignClaim: Hashable, Codable, Sendable, CustomStringConvertible {
    public var device: String
    public var manager: ForeignManager
    /// Where it shows: a runtime file and its line, or a config file:line.
    public var evidence: String
    /// What an operator runs to take the device away from that manager, when poolnet will not.
    public var remedy: String?

    public init(device: String, manager: ForeignManager, evidence: String, remedy: String? = nil) {
        self.device = device
        self.manager = manager
        self.evidence = evidence
        self.remedy = remedy
    }

    public var description: String { "\(device): managed by \(manager.displayName) (\(evidence))" }
}

/// poolnet's own hand-over drop-in for one manager, as found on the host.
public struct HandOverDropIn: Hashable, Codable, Sendable {
    public var manager: ForeignManager
    public var path: String
    /// nil: the file does not exist.
    public var content: String?

    public init(manager: ForeignManager, path: String, content: String?) {
        self.manager = manager
        self.path = path
        self.content = content
    }
}

/// What the host's other network managers do with the devices the file declares.
public struct ForeignState: Codable, Sendable, Equatable {
    public var claims: [ForeignClaim]
    /// Managers found running in this network namespace (or installed, for ifupdown and XAPI).
    public var present: Set<ForeignManager>
    /// poolnet's drop-ins, one per manager that supports hand-over and is present.
    public var dropIns: [HandOverDropIn]

    public init(claims: [ForeignClaim] = [], present: Set<ForeignManager> = [], dropIns: [HandOverDropIn] = []) {
        self.claims = claims
        self.present = present
        self.dropIns = dropIns
    }

    public func dropIn(for manager: ForeignManager) -> HandOverDropIn? { dropIns.first { $0.manager == manager } }
}
