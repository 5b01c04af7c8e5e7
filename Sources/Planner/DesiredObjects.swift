import Foundation
import HostState
import Topology

/// One object the file declares on one host, flattened to named properties for `poolnet diff`:
/// what a reviewer compares between two versions of the pool file.
public struct DesiredObject: Sendable {
    /// `storage_nic`, `bond`, `vlan`, `vxlan`, `bridge`, `iscsi`, `iscsi path`, `vport`.
    public var kind: String
    public var name: String
    public var mark: SourceMark
    /// In a stable order; lists rendered as `a, b`.
    public var properties: [(name: String, value: String)]
    /// The link this object is (for the planner's replacement rules); nil for storage records.
    public var link: String?

    public var label: String { name.isEmpty ? kind : "\(kind) \(name)" }
}

extension DesiredState {
    /// Every object of this host with its properties, in file order.
    public var objects: [DesiredObject] {
        var out: [DesiredObject] = []
        let createdDevices = self.createdDevices  // once, not per NIC
        for nic in nics {
            var p: [(String, String)] = diffMTU(nic.mtu)
            p.append(("addresses", diffList(nic.addresses.map(\.prefix.description))))
            for (key, value) in nic.sysctls.sorted(by: { $0.key < $1.key }) { p.append((key.description, String(value))) }
            // A storage role on a VLAN or bond the file creates: the vlan or bond object is the link.
            let created = createdDevices.contains(nic.name)
            out.append(DesiredObject(kind: "storage_nic", name: nic.name, mark: nic.mark, properties: p, link: created ? nil : nic.name))
        }
        for link in links.all {
            guard let plannable = link as? any PlannableLink else { continue }
            out.append(DesiredObject(kind: type(of: link).fileKind, name: link.name, mark: link.mark, properties: plannable.diffProperties, link: link.name))
        }
        if let iscsi {
            var p: [(String, String)] = [("initiator", iscsi.initiatorName), ("targets", diffList(iscsi.targets))]
            for (key, value) in iscsi.settings.sorted(by: { $0.key < $1.key }) { p.append((key, value)) }
            if let config = iscsi.multipathConfig {
                // The drop-in's settings, one property per line (the header comment is poolnet's).
                var section = ""
                for line in config.split(separator: "\n") where !line.hasPrefix("#") {
                    let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map(String.init)
                    if words.last == "{" { section = words[0] } else if line.hasPrefix("\t"), let key = words.first {
                        p.append(("multipath \(section) \(key)", words.count > 1 ? words[1] : ""))
                    }
                }
            }
            out.append(DesiredObject(kind: "iscsi", name: "", mark: iscsi.mark, properties: p, link: nil))
            for path in iscsi.paths {
                out.append(DesiredObject(kind: "iscsi path", name: path.iface, mark: path.mark,
                                         properties: [("nic", path.nic), ("portals", diffList(path.portals.map(\.description)))], link: nil))
            }
        }
        for vport in vports {
            var p: [(String, String)] = [("parent", vport.parent.description), ("wwpn", vport.wwpn.description), ("wwnn", vport.wwnn.description)]
            if let symbolic = vport.symbolicName { p.append(("symbolic_name", symbolic)) }
            out.append(DesiredObject(kind: "vport", name: vport.name, mark: vport.mark, properties: p, link: nil))
        }
        // File order: what a reviewer reads next to the file.
        return out.enumerated().sorted { a, b in
            (a.element.mark.line, a.element.mark.column, a.offset) < (b.element.mark.line, b.element.mark.column, b.offset)
        }.map(\.element)
    }

    /// Names this host's objects stand on that the file does not create: its NICs.
    var physicalNICs: Set<String> {
        var names = Set(nics.map(\.name))
        links.all.forEach { names.formUnion($0.lowerDevices) }
        iscsi?.paths.forEach { names.insert($0.nic) }
        return names.subtracting(createdDevices)
    }
}

/// A list as `poolnet diff` shows it: `a, b`, or `none`.
func diffList(_ values: [String]) -> String { values.isEmpty ? "none" : values.joined(separator: ", ") }

/// A declared MTU as a `poolnet diff` property, none when undeclared.
func diffMTU(_ value: UInt32?) -> [(name: String, value: String)] { value.map { [("mtu", String($0))] } ?? [] }
