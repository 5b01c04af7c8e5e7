import HostState
import Topology

extension PlanBuilder {
    /// NPIV: declared vports are created on the port whose WWPN the file names; vports poolnet
    /// created that the file no longer declares are deleted (not while their disks are in use,
    /// unless forced). A vport poolnet neither created nor adopted is never deleted, even with a
    /// declared WWPN (Adopt+Plan's `unownedStorage` finds those for `--adopt`).
    mutating func planFC(force: Bool) {
        guard let have = current.fc else { return }
        var ports: [WWN: FCHost] = [:]
        for host in have.hosts {
            ports[host.portName] = host
            if let permanent = host.permanentPortName { ports[permanent] = ports[permanent] ?? host }
        }
        let vports = Dictionary(have.vports.map { ($0.portName, $0) }, uniquingKeysWith: { a, _ in a })
        var creating: [String: Int] = [:]
        let declared = Set(desired.vports.map(\.wwpn))
        for want in desired.vports {
            let object = "vport \(want.name)"
            let port = NPIVPort(name: want.name, parent: want.parent, wwpn: want.wwpn, wwnn: want.wwnn, symbolicName: want.symbolicName)
            guard let parent = ports[want.parent] else {
                let known = have.hosts.map { "\($0.name) \($0.portName)" }
                problem(object, "E_FC_PARENT: no FC port has WWPN \(want.parent) on this host (ports: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
                continue
            }
            if let physical = ports[want.wwpn] {
                problem(object, "E_WWN_DUPLICATE: wwpn \(want.wwpn) is the physical port \(physical.name)'s")
                continue
            }
            if let existing = vports[want.wwpn] {
                let owned = have.ownedVPorts.contains(want.wwpn)
                if !owned, let pool = have.otherPoolsVPorts[want.wwpn] {
                    problem(object, "wwpn \(want.wwpn) is \(existing.name), which belongs to pool \(pool) on this host (its ownership record holds it): poolnet never changes or adopts another pool's vport; drop it from this file, or from pool \(pool)'s first")
                    continue
                }
                if existing.parent != parent.name || existing.nodeName != want.wwnn {
                    guard owned else {
                        problem(object, "E_WWN_DUPLICATE: wwpn \(want.wwpn) is used by \(existing.name) (wwnn \(existing.nodeName) on \(existing.parent)), which poolnet did not create")
                        continue
                    }
                    let why = existing.parent != parent.name ? "parent \(existing.parent) → \(parent.name)" : "wwnn \(existing.nodeName) → \(want.wwnn)"
                    refuseIfInUse(existing, force: force)
                    let old = NPIVPort(name: want.name, parent: have.hosts.first { $0.name == existing.parent }?.portName ?? want.parent,
                                       wwpn: existing.portName, wwnn: existing.nodeName, symbolicName: existing.symbolicName)
                    add(.storageTeardown, .storage(.deleteVPort(old)), depth: 3, disruptive: true, reason: "replaced: \(why)")
                    add(.storageConfig, .storage(.createVPort(port)), depth: 0, disruptive: true, reason: "replaced: \(why)")
                    creating[parent.name, default: 0] += 1
                } else if let name = want.symbolicName, existing.symbolicName != name {
                    add(.storageConfig, .storage(.setVPortSymbolicName(wwpn: want.wwpn, name: name, previous: existing.symbolicName)), depth: 1)
                }
                continue
            }
            guard parent.canCreateVPorts else {
                problem(object, "E_FC_NO_NPIV: \(parent.name) (\(parent.portName)) has no vport_create: its driver does not do NPIV")
                continue
            }
            add(.storageConfig, .storage(.createVPort(port)), depth: 0)
            creating[parent.name, default: 0] += 1
        }
        for host in have.hosts {
            guard let count = creating[host.name], let max = host.maxVPorts, let used = host.vportsInUse, used + count > max else { continue }
            problem("fc port \(host.name)", "E_FC_CAPACITY: \(count) vports to create, \(max - used) of \(max) left")
        }
        for vport in have.vports.sorted(by: { $0.portName < $1.portName }) where have.ownedVPorts.contains(vport.portName) && !declared.contains(vport.portName) {
            guard let parent = have.hosts.first(where: { $0.name == vport.parent }) else { continue }
            refuseIfInUse(vport, force: force)
            add(.storageTeardown, .storage(.deleteVPort(NPIVPort(name: vport.name, parent: parent.portName, wwpn: vport.portName, wwnn: vport.nodeName,
                                                                 symbolicName: vport.symbolicName))),
                depth: 3, disruptive: true, reason: "no longer in the file")
        }
    }

    mutating func refuseIfInUse(_ vport: FCVPort, force: Bool) {
        let used = vport.disks.filter { !$0.holders.isEmpty }
        guard !force, !used.isEmpty else { return }
        problem("vport \(vport.portName)", "deleting it is refused: its disk \(used.map(\.heldByDescription).joined(separator: ", ")) is in use; pass --force to do it anyway")
    }
}
