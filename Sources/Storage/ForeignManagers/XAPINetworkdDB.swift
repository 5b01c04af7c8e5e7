import Foundation
import HostState

/// XAPI's network daemon (xcp-networkd) keeps the configuration it applies at boot in
/// `/var/lib/xcp/networkd.db`: a JSON object whose `interface_config` maps interface names to their
/// settings and whose `bridge_config` maps bridges to their `ports`, each with its `interfaces`
/// (and, for a VLAN bridge, `vlan: [parent, id]`). XAPI owns every PIF device and bridge in it.
enum XAPINetworkdDB {
    static let hostPath = "/var/lib/xcp/networkd.db"

    static func present(roots: ForeignManagerRoots) -> Bool { FileManager.default.fileExists(atPath: roots.local(hostPath)) }

    static func claims(for devices: Set<String>, roots: ForeignManagerRoots) -> [ForeignClaim] {
        guard let text = ForeignFile.text(roots.local(hostPath)),
              let root = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
        var found: [String: [String]] = [:]
        for name in (root["interface_config"] as? [String: Any] ?? [:]).keys { found[name, default: []].append("interface_config \(name)") }
        for (bridge, value) in root["bridge_config"] as? [String: Any] ?? [:] {
            found[bridge, default: []].append("bridge_config \(bridge)")
            let config = value as? [String: Any] ?? [:]
            for (port, portValue) in config["ports"] as? [String: Any] ?? [:] {
                for interface in (portValue as? [String: Any])?["interfaces"] as? [String] ?? [port] {
                    found[interface, default: []].append("bridge \(bridge) port \(port)")
                }
            }
            if let vlan = vlanParent(config["vlan"]) { found[vlan.parent, default: []].append("bridge \(bridge) is VLAN \(vlan.id) on it") }
        }
        return found.keys.filter(devices.contains).sorted().map { device in
            ForeignClaim(device: device, manager: .xapi, evidence: "\(hostPath): " + found[device]!.sorted().joined(separator: ", "),
                         remedy: "poolnet never edits XAPI's configuration: find the PIF with `xe pif-list device=\(device) params=uuid,network-uuid`, then `xe pif-unplug uuid=UUID` and `xe pif-forget uuid=UUID` (for a bridge, the network: `xe network-list bridge=\(device)`)")
        }
    }

    /// `vlan` is an option of a (parent, id) pair: `["xenbr0", 10]`, or wrapped once more (`[["xenbr0", 10]]`).
    static func vlanParent(_ value: Any?) -> (parent: String, id: Int)? {
        guard let array = value as? [Any] else { return nil }
        if array.count == 2, let parent = array[0] as? String, let id = array[1] as? Int { return (parent, id) }
        if array.count == 1 { return vlanParent(array[0]) }
        return nil
    }
}
