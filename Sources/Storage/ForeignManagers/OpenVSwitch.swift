import Foundation
import HostState

/// Open vSwitch: the kernel shows a device it switches as a port of the `ovs-system` datapath;
/// OVSDB (`conf.db`, an append-only log of JSON transactions) also knows ports not attached yet
/// (ovs-vswitchd stopped, or the device absent).
enum OpenVSwitch {
    static let dbPaths = ["/etc/openvswitch/conf.db", "/var/lib/openvswitch/conf.db"]

    static func kernelClaims(_ links: [LinkState], devices: Set<String>) -> [ForeignClaim] {
        links.filter { devices.contains($0.name) }.compactMap { link in
            if link.master == "ovs-system" {
                return ForeignClaim(device: link.name, manager: .openvswitch, evidence: "kernel: master ovs-system (an Open vSwitch port)",
                                    remedy: "`ovs-vsctl del-port \(link.name)`")
            }
            if link.kind == .other("openvswitch") {
                return ForeignClaim(device: link.name, manager: .openvswitch, evidence: "kernel: kind openvswitch (an Open vSwitch bridge)",
                                    remedy: "`ovs-vsctl del-br \(link.name)`")
            }
            return nil
        }
    }

    /// Interface names OVSDB holds now, replaying the log's Interface rows (a null row is a delete).
    static func databaseInterfaces(roots: ForeignManagerRoots) -> (path: String, names: Set<String>)? {
        for hostPath in dbPaths {
            guard let text = ForeignFile.text(roots.local(hostPath)) else { continue }
            var rows: [String: String] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("{") {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let table = record["Interface"] as? [String: Any] else { continue }
                for (uuid, row) in table {
                    if let columns = row as? [String: Any] {
                        if let name = columns["name"] as? String { rows[uuid] = name }
                    } else {
                        rows[uuid] = nil
                    }
                }
            }
            return (hostPath, Set(rows.values))
        }
        return nil
    }

    static func databaseClaims(devices: Set<String>, roots: ForeignManagerRoots, already: Set<String>) -> [ForeignClaim] {
        guard let db = databaseInterfaces(roots: roots) else { return [] }
        return db.names.intersection(devices).subtracting(already).sorted().map {
            ForeignClaim(device: $0, manager: .openvswitch, evidence: "\(db.path): Interface \($0)", remedy: "`ovs-vsctl del-port \($0)`")
        }
    }
}
