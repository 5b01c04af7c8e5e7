import Foundation
import HostState

/// One iSCSI or multipath step. Like `Action`, each carries what it replaces, so it can be undone.
public enum StorageAction: Hashable, Codable, Sendable {
    /// Writes /etc/iscsi/initiatorname.iscsi (nil: the file is removed).
    case writeInitiatorName(name: String?, previous: String?)
    /// `iscsiadm -m iface -I NAME -o new` + `-o update` of its binding.
    case createIface(ISCSIIface)
    /// `iscsiadm -m iface -I NAME -o delete`
    case deleteIface(ISCSIIface)
    /// `iscsiadm -m iface -I NAME -o update -n iface.net_ifacename|iface.initiatorname -v …`
    case updateIface(ISCSIIface, previous: ISCSIIface)
    /// `iscsiadm -m node -o new -T T -p P -I I` + `-o update` per setting.
    case createNode(ISCSINodeRecord)
    /// `iscsiadm -m node -T T -p P -I I -o delete`
    case deleteNode(ISCSINodeRecord)
    /// `iscsiadm -m node … -o update -n KEY -v VALUE` per changed key.
    case setNodeSettings(ISCSINodeKey, settings: [String: String], previous: [String: String])
    /// `iscsiadm -m node … -l` (exit 15, "session exists", is success).
    case login(ISCSINodeKey)
    /// `iscsiadm -m node … -u`
    case logout(ISCSINodeKey)
    /// Writes the live session's recovery_tmo in sysfs (the record keeps it for the next login).
    case setRecoveryTimeout(ISCSINodeKey, seconds: Int, previous: Int)
    /// Writes (nil: removes) poolnet's multipath drop-in, then `multipathd reconfigure`.
    case writeMultipathConfig(content: String?, previous: String?)
    /// `multipath -a DEV` + `multipathd add map WWID`: a LUN behind poolnet's sessions becomes a map.
    case addMultipathMap(wwid: String, device: String)
    /// `multipathd del map WWID` (the undo of adding it).
    case removeMultipathMap(wwid: String, device: String)
    /// `echo WWPN:WWNN > /sys/class/fc_host/hostN/vport_create` on the port named `parent`.
    case createVPort(NPIVPort)
    /// `echo WWPN:WWNN > …/vport_delete`; keeps the vport to create it again on rollback.
    case deleteVPort(NPIVPort)
    /// `echo NAME > /sys/class/fc_vports/…/symbolic_name`
    case setVPortSymbolicName(wwpn: WWN, name: String?, previous: String?)
    /// `apply --adopt` of a declared iface made by hand (or its inverse): poolnet's ownership record
    /// gains (loses) its name, so that dropping it from the file prunes it. Nothing else is written.
    case markIface(name: String, owned: Bool)
    /// `apply --adopt` of a declared vport made by hand (or its inverse): the ownership record gains
    /// (loses) its WWPN; `host` is the fc_host it sits on. Nothing is written to sysfs.
    case markVPort(NPIVPort, host: String, owned: Bool)

    public var inverse: StorageAction {
        switch self {
        case let .writeInitiatorName(name, previous): return .writeInitiatorName(name: previous, previous: name)
        case .createIface(let i): return .deleteIface(i)
        case .deleteIface(let i): return .createIface(i)
        case let .updateIface(i, previous): return .updateIface(previous, previous: i)
        case .createNode(let n): return .deleteNode(n)
        case .deleteNode(let n): return .createNode(n)
        case let .setNodeSettings(key, settings, previous): return .setNodeSettings(key, settings: previous, previous: settings)
        case .login(let key): return .logout(key)
        case .logout(let key): return .login(key)
        case let .setRecoveryTimeout(key, seconds, previous): return .setRecoveryTimeout(key, seconds: previous, previous: seconds)
        case let .writeMultipathConfig(content, previous): return .writeMultipathConfig(content: previous, previous: content)
        case let .addMultipathMap(wwid, device): return .removeMultipathMap(wwid: wwid, device: device)
        case let .removeMultipathMap(wwid, device): return .addMultipathMap(wwid: wwid, device: device)
        case .createVPort(let v): return .deleteVPort(v)
        case .deleteVPort(let v): return .createVPort(v)
        case let .setVPortSymbolicName(wwpn, name, previous): return .setVPortSymbolicName(wwpn: wwpn, name: previous, previous: name)
        case let .markIface(name, owned): return .markIface(name: name, owned: !owned)
        case let .markVPort(v, host, owned): return .markVPort(v, host: host, owned: !owned)
        }
    }

    public var symbol: Character {
        switch self {
        case .createIface, .createNode, .login, .addMultipathMap, .createVPort: return "+"
        case .deleteIface, .deleteNode, .logout, .removeMultipathMap, .deleteVPort: return "-"
        case .writeInitiatorName(let name, _): return name == nil ? "-" : "~"
        case .writeMultipathConfig(let content, let previous): return content == nil ? "-" : previous == nil ? "+" : "~"
        default: return "~"
        }
    }

    public var summary: String {
        func settings(_ s: [String: String]) -> String {
            s.keys.sorted().map { "\(ISCSISettingNames.short($0)) \(s[$0]!)" }.joined(separator: ", ")
        }
        switch self {
        case let .writeInitiatorName(name, previous):
            return "iscsi initiator name: \(previous ?? "none") → \(name ?? "none")"
        case .createIface(let i), .deleteIface(let i):
            return "iscsi iface \(i.name) (nic \(i.netIfaceName ?? "none"))"
        case let .updateIface(i, previous):
            var parts: [String] = []
            if i.netIfaceName != previous.netIfaceName { parts.append("nic \(previous.netIfaceName ?? "none") → \(i.netIfaceName ?? "none")") }
            if i.initiatorName != previous.initiatorName { parts.append("initiator \(previous.initiatorName ?? "default") → \(i.initiatorName ?? "default")") }
            if i.hwAddress != previous.hwAddress { parts.append("hwaddress \(previous.hwAddress ?? "none") → \(i.hwAddress ?? "none")") }
            return "iscsi iface \(i.name): " + parts.joined(separator: ", ")
        case .createNode(let n):
            return "iscsi node \(n.key)" + (n.settings.isEmpty ? "" : " (\(settings(n.settings)))")
        case .deleteNode(let n):
            return "iscsi node \(n.key)"
        case let .setNodeSettings(key, new, previous):
            return "iscsi node \(key): " + new.keys.sorted().map { "\(ISCSISettingNames.short($0)) \(previous[$0] ?? "unset") → \(new[$0]!)" }.joined(separator: ", ")
        case .login(let key): return "iscsi session \(key) (login)"
        case .logout(let key): return "iscsi session \(key) (logout)"
        case let .setRecoveryTimeout(key, seconds, previous):
            return "iscsi session \(key): replacement_timeout \(previous) → \(seconds) (live)"
        case let .writeMultipathConfig(content, previous):
            if content == nil { return "multipath drop-in (removed)" }
            return "multipath drop-in " + (previous == nil ? "(new)" : "(changed)") + ": " + MultipathConfigSummary.keys(content!)
        case let .addMultipathMap(wwid, device): return "multipath map \(wwid) (first path \(device))"
        case let .removeMultipathMap(wwid, _): return "multipath map \(wwid)"
        case .createVPort(let v), .deleteVPort(let v):
            return "fc vport \(v.name) (wwpn \(v.wwpn), wwnn \(v.wwnn) on port \(v.parent))"
        case let .setVPortSymbolicName(wwpn, name, previous):
            return "fc vport \(wwpn): symbolic_name \(previous.map { "\"\($0)\"" } ?? "none") → \(name.map { "\"\($0)\"" } ?? "none")"
        case let .markIface(name, owned): return "iscsi: \(owned ? "adopt" : "release") iface \(name)"
        case let .markVPort(v, host, owned): return "fc \(host): \(owned ? "adopt" : "release") vport \(v.wwpn) (\(v.name))"
        }
    }

    public var isFibreChannel: Bool {
        switch self {
        case .createVPort, .deleteVPort, .setVPortSymbolicName, .markVPort: return true
        default: return false
        }
    }

    /// The NIC or object this step concerns, for messages and guards.
    public var object: String {
        switch self {
        case .writeInitiatorName: return "iscsi"
        case .createIface(let i), .deleteIface(let i), .updateIface(let i, _): return i.name
        case .createNode(let n), .deleteNode(let n): return n.key.iface
        case .setNodeSettings(let k, _, _), .login(let k), .logout(let k), .setRecoveryTimeout(let k, _, _): return k.iface
        case .writeMultipathConfig: return "multipath"
        case .addMultipathMap(let w, _), .removeMultipathMap(let w, _): return w
        case .createVPort(let v), .deleteVPort(let v), .markVPort(let v, _, _): return v.name
        case .setVPortSymbolicName(let w, _, _): return w.hex
        case .markIface(let name, _): return name
        }
    }
}

/// Short names of node settings, as the file writes them.
enum ISCSISettingNames {
    static func short(_ key: String) -> String {
        switch key {
        case "node.startup": return "startup"
        case "node.session.timeo.replacement_timeout": return "replacement_timeout"
        case "node.session.nr_sessions": return "nr_sessions"
        case "node.conn[0].timeo.login_timeout": return "login_timeout"
        case "node.conn[0].timeo.noop_out_interval": return "noop_out_interval"
        case "node.conn[0].timeo.noop_out_timeout": return "noop_out_timeout"
        case "node.session.initial_login_retry_max": return "login_retry_max"
        default: return key
        }
    }
}

enum MultipathConfigSummary {
    /// `overrides: no_path_retry 12` from the drop-in's text.
    static func keys(_ text: String) -> String {
        var section = ""
        var parts: [String] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty || line == "}" { continue }
            if line.hasSuffix("{") { section = String(line.dropLast()).trimmingCharacters(in: .whitespaces); continue }
            parts.append("\(section) \(line.replacingOccurrences(of: "\t", with: " "))")
        }
        return parts.joined(separator: ", ")
    }
}
