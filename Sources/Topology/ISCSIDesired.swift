import HostState

/// One storage path on one host: an open-iscsi iface bound to a storage NIC, and the portals
/// reached through it.
public struct DesiredISCSIPath: Sendable, Equatable, Codable {
    public var iface: String
    public var nic: String
    public var portals: [ISCSIPortal]
    public var mark: SourceMark

    public init(iface: String, nic: String, portals: [ISCSIPortal], mark: SourceMark) {
        self.iface = iface
        self.nic = nic
        self.portals = portals
        self.mark = mark
    }
}

/// What the file wants of iSCSI and multipath on one host.
public struct DesiredISCSI: Sendable, Equatable, Codable {
    public var initiatorName: String
    public var paths: [DesiredISCSIPath]
    public var targets: [String]
    /// Node record settings (`node.startup`, `node.session.timeo.replacement_timeout`, …).
    public var settings: [String: String]
    /// poolnet's multipath drop-in, rendered; nil when the file sets no multipath keys.
    public var multipathConfig: String?
    public var mark: SourceMark

    public init(initiatorName: String, paths: [DesiredISCSIPath], targets: [String], settings: [String: String] = [:],
                multipathConfig: String? = nil, mark: SourceMark) {
        self.initiatorName = initiatorName
        self.paths = paths
        self.targets = targets
        self.settings = settings
        self.multipathConfig = multipathConfig
        self.mark = mark
    }

    /// Every (iface, portal, target) the file logs in, in file order.
    public var sessions: [ISCSINodeKey] {
        paths.flatMap { path in path.portals.flatMap { portal in targets.map { ISCSINodeKey(iface: path.iface, portal: portal, target: $0) } } }
    }

    /// Declared sessions per target: the number of paths each of its LUNs should have.
    public var pathsPerTarget: [String: Int] {
        Dictionary(grouping: sessions, by: \.target).mapValues(\.count)
    }

    /// The live replacement_timeout the sessions should have, when the file sets it.
    public var replacementTimeout: Int? { settings[ISCSISettings.replacementTimeout].flatMap { Int($0) } }
}

/// The session settings a file may set, by their short name, with the node record key.
public enum ISCSISettings {
    public static let replacementTimeout = "node.session.timeo.replacement_timeout"
    static let keys: [String: (key: String, values: String)] = [
        "startup": ("node.startup", "automatic|manual|onboot"),
        "replacement_timeout": (replacementTimeout, "seconds"),
        "nr_sessions": ("node.session.nr_sessions", "count"),
        "login_timeout": ("node.conn[0].timeo.login_timeout", "seconds"),
        "noop_out_interval": ("node.conn[0].timeo.noop_out_interval", "seconds"),
        "noop_out_timeout": ("node.conn[0].timeo.noop_out_timeout", "seconds"),
        "login_retry_max": ("node.session.initial_login_retry_max", "count"),
    ]
    /// multipath.conf keys poolnet verifies but never writes (storage-domain.md §3).
    static let neverWritten: Set<String> = ["user_friendly_names", "find_multipaths"]
    static let multipathSections = ["defaults", "overrides"]
}

/// iSCSI qualified names: `iqn.YYYY-MM.reversed.domain[:anything]`, `eui.` + 16 hex, `naa.` + 16 or 32 hex.
public enum IQN {
    public static func problem(_ name: String) -> String? {
        if name.utf8.count > 223 { return "is longer than 223 bytes" }
        if name.contains(where: { $0.isWhitespace }) { return "contains whitespace" }
        // RFC 3720 3.2.6.2: after stringprep an iSCSI name holds only lowercase letters, digits,
        // "-", "." and ":" (iscsiadm and the targets' ACLs see exactly these bytes).
        if let bad = name.unicodeScalars.first(where: { !(("a"..."z").contains($0) || ("0"..."9").contains($0) || "-.:".unicodeScalars.contains($0)) }),
           !("A"..."Z").contains(bad) {
            return "contains \(MultipathKeys.quoted(String(bad))); an iSCSI name holds only lowercase letters, digits, \"-\", \".\" and \":\" (RFC 3720)"
        }
        if name.hasPrefix("eui.") {
            let hex = name.dropFirst(4)
            return hex.count == 16 && hex.allSatisfy(\.isHexDigit) ? nil : "must be eui. followed by 16 hex digits"
        }
        if name.hasPrefix("naa.") {
            let hex = name.dropFirst(4)
            return (hex.count == 16 || hex.count == 32) && hex.allSatisfy(\.isHexDigit) ? nil : "must be naa. followed by 16 or 32 hex digits"
        }
        guard name.hasPrefix("iqn.") else { return "must start with iqn., eui. or naa." }
        let rest = name.dropFirst(4)
        let date = rest.prefix(7)
        guard date.count == 7, date.dropFirst(4).first == "-", date.prefix(4).allSatisfy(\.isNumber), date.suffix(2).allSatisfy(\.isNumber),
              let month = Int(date.suffix(2)), (1...12).contains(month) else {
            return "needs a date as iqn.YYYY-MM. (RFC 3720)"
        }
        let afterDate = rest.dropFirst(7)
        guard afterDate.first == "." else { return "needs a reversed domain after the date, as iqn.YYYY-MM.org.example" }
        let domain = afterDate.dropFirst().split(separator: ":", maxSplits: 1).first ?? ""
        guard !domain.isEmpty, domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }), !domain.hasPrefix("."),
              !domain.hasSuffix(".") else {
            return "needs a reversed domain name after the date (letters, digits, dots, hyphens)"
        }
        if name != name.lowercased() { return "must be lowercase (RFC 3722 normalizes names to lowercase)" }
        return nil
    }
}

/// Names open-iscsi accepts for iface records.
public enum ISCSIIfaceName {
    public static func problem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "must be 1–64 characters" }
        if name == "default" || name == "iser" { return "is reserved by open-iscsi" }
        // The iface is a file under /etc/iscsi/ifaces and an iscsiadm argument.
        if name.allSatisfy({ $0 == "." }) { return "is not a file name (\".\" and \"..\" name directories)" }
        if name.hasPrefix("-") { return "starts with \"-\", which iscsiadm would read as an option" }
        if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            return "may only contain letters, digits, '-', '_' and '.'"
        }
        return nil
    }
}

/// The node record keys poolnet reads back (every key a file may set).
public enum ISCSISettingKeys {
    public static var all: Set<String> { Set(ISCSISettings.keys.values.map(\.key)) }
}
