import Foundation
import HostState

/// `poolnet import` and `poolnet import --merge`: pool files written from hosts' desired states,
/// each proven before it is returned (it parses, validates, and resolves on every host to exactly
/// that host's state).
public enum PoolFileMerge {
    /// The pool file for `hosts`. Throws when the hosts cannot share one file, or when the file
    /// written would not give some host back its state (a bug: the message names host and object).
    public static func write(pool: String, hosts: [ImportedHost]) throws -> String {
        var seen: [String: Int] = [:]
        for host in hosts {
            if seen[host.name] != nil { throw PoolFileDraftError("host \(host.name) appears twice") }
            seen[host.name] = host.index
        }
        var draft = PoolFileDraft(pool: pool, hosts: hosts)
        let text = try draft.render()
        try verify(text, hosts: hosts)
        return text
    }

    /// Merges pool files (each usually from `poolnet import` on one host) into one. Pseudo hosts
    /// (remote VTEPs, var `remote_vtep`) are dropped: the hosts whose files are merged take their
    /// place, and those left over stay pseudo hosts.
    public static func merge(files: [(path: String, text: String)]) throws -> String {
        var pool: String?
        var hosts: [ImportedHost] = []
        for (path, text) in files {
            let topology = try Topology.parse(yaml: text, file: path)
            let (errors, states) = topology.validateResolving()
            if !errors.isEmpty { throw TopologyErrors(errors) }
            if let pool, pool != topology.pool {
                throw PoolFileDraftError("\(path): pool \(topology.pool), but the files before are pool \(pool)")
            }
            pool = topology.pool
            let real = topology.hosts.filter { $0.vars[PoolFileDraft.pseudoVar] == nil }
            let notes = noteLines(text)
            for (i, host) in real.enumerated() {
                hosts.append(ImportedHost(name: host.name, index: host.index, state: states[host.name]!, notes: i == 0 ? notes : []))
            }
        }
        guard let pool else { throw PoolFileDraftError("no files to merge") }
        // The states are resolved already, so hosts can be renumbered when indexes collide.
        if Set(hosts.map(\.index)).count != hosts.count {
            for i in hosts.indices {
                hosts[i].notes.append("index \(hosts[i].index) was also another host's; numbered \(i + 1) in the order of the files")
                hosts[i].index = i + 1
            }
        }
        return try write(pool: pool, hosts: hosts)
    }

    /// The "not declared" notes `import` wrote at the top of a file, to carry them over.
    static func noteLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#   - ") ? String(line.dropFirst(6)) : nil
        }
    }

    /// Parses `text` and checks that each host resolves to its state.
    public static func verify(_ text: String, hosts: [ImportedHost]) throws {
        let topology = try Topology.parse(yaml: text, file: "<written pool file>")
        let (errors, states) = topology.validateResolving()
        if !errors.isEmpty {
            // Several hosts' files may conflict (one address or initiator name on two hosts); one host's file cannot.
            if hosts.count > 1 { throw PoolFileDraftError("the hosts cannot share one pool file:\n\(TopologyErrors(errors))") }
            throw PoolFileDraftError("the written file does not validate (a bug):\n\(TopologyErrors(errors))\n\(text)")
        }
        for host in hosts {
            let want = canonical(host.state)
            let got = states[host.name].map(canonical) ?? []
            if want != got {
                let missing = want.filter { !got.contains($0) }, extra = got.filter { !want.contains($0) }
                throw PoolFileDraftError("the written file gives host \(host.name) another state (a bug): expected \(missing), got \(extra)\n\(text)")
            }
        }
    }

    /// A desired state as sorted lines without source marks: equal lines, equal state.
    public static func canonical(_ state: DesiredState) -> [String] {
        func addresses(_ list: [DesiredAddress]) -> String { list.map(\.prefix.description).sorted().joined(separator: " ") }
        func mtu(_ m: UInt32?) -> String { m.map(String.init) ?? "-" }
        var lines: [String] = ["pool \(state.pool)"]
        for nic in state.nics {
            let sysctls = nic.sysctls.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("nic \(nic.name) mtu \(mtu(nic.mtu)) addresses [\(addresses(nic.addresses))] sysctls [\(sysctls)]")
        }
        for b in state.bridges {
            let vlans = b.portVLANs.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.summary)" }.joined(separator: " ")
            lines.append("bridge \(b.name) mtu \(mtu(b.mtu)) stp \(b.stp) vlan_filtering \(b.vlanFiltering) self \(b.selfVLANs?.summary ?? "-") ports [\(b.ports.sorted().joined(separator: " "))] port_vlans [\(vlans)] addresses [\(addresses(b.addresses))]")
        }
        for v in state.vlans { lines.append("vlan \(v.name) link \(v.link) id \(v.id) mtu \(mtu(v.mtu))") }
        for b in state.bonds { lines.append("bond \(b.name) members [\(b.members.sorted().joined(separator: " "))] mtu \(mtu(b.mtu)) \(b.options)") }
        for x in state.vxlans {
            lines.append("vxlan \(x.name) vni \(x.info.vni) local \(x.info.local ?? "-") port \(x.info.port) device \(x.info.device ?? "-") remotes [\((x.info.remotes ?? []).sorted().joined(separator: " "))] mtu \(mtu(x.mtu))")
        }
        if let iscsi = state.iscsi {
            let settings = iscsi.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("iscsi initiator \(iscsi.initiatorName) targets [\(iscsi.targets.joined(separator: " "))] settings [\(settings)] multipath \(iscsi.multipathConfig.map { "[\($0)]" } ?? "-")")
            lines += iscsi.paths.map { "iscsi path \($0.iface) nic \($0.nic) portals [\($0.portals.map(\.description).joined(separator: " "))]" }
        }
        lines += state.vports.map { "vport \($0.name) parent \($0.parent) wwpn \($0.wwpn) wwnn \($0.wwnn) symbolic_name \($0.symbolicName.map { "\"\($0)\"" } ?? "-")" }
        return lines.sorted()
    }
}
