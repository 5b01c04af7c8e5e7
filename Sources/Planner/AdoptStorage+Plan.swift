import HostState

extension PlanBuilder {
    /// Declared iSCSI ifaces and NPIV vports that exist (made by hand) but are not in poolnet's
    /// ownership record: matched as they are, never pruned until `apply --adopt` records them.
    /// A vport on another parent or with another WWNN is not the declared one (FC+Plan reports it).
    /// One another pool's record holds is not this pool's to take (planISCSI/planFC refuse it).
    func unownedStorage() -> [UnownedObject] {
        var result: [UnownedObject] = []
        if let have = current.iscsi, let want = desired.iscsi {
            let existing = Set(have.ifaces.map(\.name))
            var seen = Set<String>()
            for path in want.paths where existing.contains(path.iface) && !have.ownedIfaces.contains(path.iface)
                && have.otherPoolsIfaces[path.iface] == nil && seen.insert(path.iface).inserted {
                result.append(UnownedObject(object: "iscsi iface \(path.iface)", link: path.iface, mark: "",
                                            record: .markIface(name: path.iface, owned: true)))
            }
        }
        if let have = current.fc {
            for want in desired.vports where !have.ownedVPorts.contains(want.wwpn) && have.otherPoolsVPorts[want.wwpn] == nil {
                guard let vport = have.vports.first(where: { $0.portName == want.wwpn }), vport.nodeName == want.wwnn,
                      let parent = have.hosts.first(where: { $0.portName == want.parent }) ?? have.hosts.first(where: { $0.permanentPortName == want.parent }),
                      vport.parent == parent.name else { continue }
                let port = NPIVPort(name: want.name, parent: want.parent, wwpn: want.wwpn, wwnn: want.wwnn, symbolicName: vport.symbolicName)
                result.append(UnownedObject(object: "fc vport \(want.name) (wwpn \(want.wwpn) on \(parent.name))", link: vport.name, mark: "",
                                            record: .markVPort(port, host: parent.name, owned: true)))
            }
        }
        return result
    }
}
