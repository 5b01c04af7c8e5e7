import HostState

extension LiveImport {
    /// The host's iSCSI (initiator, ifaces bound to its storage NICs, node records with their
    /// sessions, settings, poolnet's multipath drop-in) and NPIV vports, added to its imported
    /// state as the `iscsi:` and `fc:` sections; what a file cannot say becomes a note with the
    /// reason. Call after `host(from:…)`: an iSCSI path needs its NIC among the storage NICs.
    public static func addStorage(iscsi: ISCSIState?, fc: FCState?, to host: inout ImportedHost) {
        if let iscsi { addISCSI(iscsi, to: &host) }
        if let fc { addVPorts(fc, to: &host) }
    }

    /// Offload transports' built-in ifaces: open-iscsi makes them, a pool file never declares them.
    static let builtInIfaces: Set<String> = ["default", "iser", "bnx2i", "cxgb3i", "cxgb4i", "be2iscsi", "qla4xxx", "ocs"]

    static func addISCSI(_ iscsi: ISCSIState, to host: inout ImportedHost) {
        let pool = host.state.pool
        var notes: [String] = []
        defer { host.notes += notes }
        let ifaces = iscsi.ifaces.filter { !builtInIfaces.contains($0.name) }.sorted { $0.name < $1.name }
        let byIface = Dictionary(grouping: iscsi.nodes, by: \.key.iface)
        let sessions = Dictionary(iscsi.sessions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for (iface, records) in byIface.sorted(by: { $0.key < $1.key }) where builtInIfaces.contains(iface) {
            notes.append("iSCSI node records on open-iscsi's \(iface) iface (\(records.map(\.key.description).sorted().joined(separator: "; "))): a path is an iface bound to a storage NIC; left as they are")
        }
        guard !ifaces.isEmpty else { return }
        guard let initiator = iscsi.initiatorName, IQN.problem(initiator) == nil else {
            let why = iscsi.initiatorName.map { "initiator name \"\($0)\" \(IQN.problem($0)!)" } ?? "no initiator name (initiatorname.iscsi)"
            notes.append("iSCSI not declared: \(why); ifaces \(ifaces.map(\.name).joined(separator: ", ")) left as they are")
            return
        }
        let nics = Dictionary(host.state.nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let perPath = !PoolFileDraft.sharedLayoutFits(host.state.nics)
        var candidates: [(path: DesiredISCSIPath, targets: [String], records: [ISCSINodeRecord])] = []
        for iface in ifaces {
            let records = (byIface[iface.name] ?? []).sorted { $0.key < $1.key }
            func skip(_ why: String) { notes.append("iSCSI iface \(iface.name): \(why); left out, with its node records") }
            if let problem = ISCSIIfaceName.problem(iface.name) { skip("the name \(problem)"); continue }
            if iface.transport != "tcp" { skip("transport \(iface.transport): a pool file's paths are software iSCSI over tcp"); continue }
            if let mac = iface.hwAddress { skip("bound by hardware address \(mac); a pool file binds an iface to a NIC by name"); continue }
            guard let nicName = iface.netIfaceName else { skip("bound to no NIC (net_ifacename is empty)"); continue }
            guard let nic = nics[nicName] else { skip("bound to \(nicName), which is not declared as a storage NIC (see above)"); continue }
            if let own = iface.initiatorName, own != initiator {
                skip("its own initiator name \(own) differs from the host's \(initiator); poolnet gives every iface the host's")
                continue
            }
            guard !records.isEmpty else { skip("no node records, so no portals to declare"); continue }
            let loggedOut = records.filter { sessions[$0.key] == nil }
            if !loggedOut.isEmpty {
                skip("records without a session (\(loggedOut.map(\.key.description).joined(separator: "; "))); poolnet logs in every record it declares: log them in or delete them, then import again")
                continue
            }
            let portals = Array(Set(records.map(\.key.portal))).sorted()
            let targets = Array(Set(records.map(\.key.target))).sorted()
            if records.count != portals.count * targets.count {
                skip("its records do not give every portal every target (\(records.map(\.key.description).joined(separator: "; "))); a pool file logs each path in to every target through every portal")
                continue
            }
            if let bad = targets.first(where: { IQN.problem($0) != nil }) { skip("target \"\(bad)\" \(IQN.problem(bad)!)"); continue }
            if perPath, !nic.addresses.isEmpty,
               let outside = portals.first(where: { portal in !nic.addresses.contains { $0.prefix.network.contains(IPPrefix(portal.address, defaultPrefix: $0.prefix.prefixLength)!) } }) {
                skip("portal \(outside.address) is outside the subnets of \(nicName), which layout per-path-subnet requires (the NICs lack the ARP settings of shared-subnet)")
                continue
            }
            if let other = candidates.first(where: { $0.path.nic == nicName }) {
                skip("\(nicName) already carries iface \(other.path.iface); a pool file has one iface per storage NIC")
                continue
            }
            candidates.append((DesiredISCSIPath(iface: iface.name, nic: nicName, portals: portals, mark: mark), targets, records))
        }
        // One target list for every path: the one most paths have.
        let counts = Dictionary(grouping: candidates, by: \.targets)
        let ranked = counts.sorted { ($0.value.count, $1.key.joined(separator: " ")) > ($1.value.count, $0.key.joined(separator: " ")) }
        guard let targets = ranked.first?.key else {
            notes.append("iSCSI initiator \(initiator) not declared: none of its ifaces can be a path (see above)")
            return
        }
        for other in candidates where other.targets != targets {
            notes.append("iSCSI iface \(other.path.iface): targets \(other.targets.joined(separator: ", ")) differ from the other paths' \(targets.joined(separator: ", ")); a pool file logs every path in to the same targets; left out, with its node records")
        }
        let chosen = candidates.filter { $0.targets == targets }
        let records = chosen.flatMap(\.records)
        var settings: [String: String] = [:]
        for (short, setting) in ISCSISettings.keys.sorted(by: { $0.key < $1.key }) {
            let (key, kind) = (setting.key, setting.values)
            let values = Set(records.map { $0.settings[key] })
            guard values.count == 1, let value = values.first!, !value.isEmpty else {
                if values.count > 1 { notes.append("iSCSI session \(short) (\(key)) differs between node records (\(values.map { $0 ?? "unset" }.sorted().joined(separator: ", "))); not declared") }
                continue
            }
            let valid = kind.contains("|") ? kind.split(separator: "|").contains { $0 == value } : (Int(value).map { $0 >= 0 } ?? false)
            guard valid else { notes.append("iSCSI session \(short) is \"\(value)\", which a pool file cannot set; not declared"); continue }
            if key == ISCSISettings.replacementTimeout {
                let live = Set(records.compactMap { sessions[$0.key]?.recoveryTimeout })
                if !live.subtracting([Int(value)!]).isEmpty {
                    notes.append("iSCSI session replacement_timeout: the records say \(value), the live sessions \(live.sorted().map(String.init).joined(separator: ", ")); not declared (plan would set the live value)")
                    continue
                }
            }
            settings[key] = value
        }
        // poolnet puts every LUN of the file's sessions in a multipath map; one outside any map
        // is a change plan shows, not something a file can declare away.
        let paths = Dictionary((iscsi.multipathPaths ?? []).map { ($0.device, $0) }, uniquingKeysWith: { a, _ in a })
        let orphans = Set(records.flatMap { sessions[$0.key]?.disks ?? [] }.compactMap { disk in
            paths[disk.device].flatMap { $0.isOrphan && !$0.wwid.isEmpty ? "\($0.wwid) (\(disk.device))" : nil }
        })
        if !orphans.isEmpty {
            notes.append("iSCSI LUNs in no multipath map: \(orphans.sorted().joined(separator: ", ")); plan adds a map for each (multipath -a, multipathd add map)")
        }
        var multipath: String?
        if let text = iscsi.multipathConfig {
            switch MultipathDropInText.parse(text, pool: pool) {
            case .success: multipath = text
            case .failure(let failure):
                notes.append("multipath drop-in (conf.d/90-poolnet.conf): \(failure.reason); not declared, so plan removes it (poolnet writes only the keys a file declares)")
            }
        }
        host.state.iscsi = DesiredISCSI(initiatorName: initiator, paths: chosen.map(\.path), targets: targets, settings: settings,
                                        multipathConfig: multipath, mark: mark)
    }

    static func addVPorts(_ fc: FCState, to host: inout ImportedHost) {
        let parents = Dictionary(fc.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for vport in fc.vports.sorted(by: { ($0.parent, $0.portName) < ($1.parent, $1.portName) }) {
            let label = "NPIV vport \(vport.name) (wwpn \(vport.portName), wwnn \(vport.nodeName))"
            guard let parent = parents[vport.parent] else {
                host.notes.append("\(label): its parent \(vport.parent) is not a physical FC port of this host; left out")
                continue
            }
            if let bad = [vport.portName, vport.nodeName].first(where: { ![1, 2, 3, 5, 0xC, 0xD, 0xE, 0xF].contains($0.naa) }) {
                host.notes.append("\(label): \(bad) has NAA \(String(bad.naa, radix: 16, uppercase: true)), which a pool file rejects; left out")
                continue
            }
            if vport.portName == vport.nodeName || vport.portName == parent.portName {
                host.notes.append("\(label): its wwpn is its wwnn or its parent's, which a pool file rejects; left out")
                continue
            }
            var symbolic = vport.symbolicName.flatMap { $0.isEmpty ? nil : $0 }
            if let name = symbolic, name.utf8.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                host.notes.append("\(label): symbolic name \(MultipathKeys.quoted(name)) cannot be written in a pool file (over 64 bytes or a control character); the file leaves it as it is")
                symbolic = nil
            }
            host.state.vports.append(DesiredVPort(name: "npiv\(host.state.vports.count + 1)", parent: parent.portName, wwpn: vport.portName,
                                                  wwnn: vport.nodeName, symbolicName: symbolic, mark: mark))
        }
    }
}
