import HostState

/// The `iscsi:` and `fc:` sections as the pool file spells them, across the hosts being written.
extension PoolFileDraft {
    static func vportFields(_ vport: DesiredVPort) -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(vport.name)), YAMLEntry("parent", .string(vport.parent.hex)),
                      YAMLEntry("wwpn", .string(vport.wwpn.hex)), YAMLEntry("wwnn", .string(vport.wwnn.hex))]
        if let symbolic = vport.symbolicName { fields.append(YAMLEntry("symbolic_name", .string(symbolic))) }
        return fields
    }

    static func pathFields(_ path: DesiredISCSIPath) -> [YAMLEntry] {
        [YAMLEntry("iface", .string(path.iface)), YAMLEntry("nic", .string(path.nic)), YAMLEntry("portals", .strings(path.portals.map(\.description)))]
    }

    /// Session settings by the names a file uses (numbers as numbers).
    static func sessionFields(_ settings: [String: String]) -> [YAMLEntry] {
        ISCSISettings.keys.sorted { $0.key < $1.key }.compactMap { short, setting in
            settings[setting.key].map { value in YAMLEntry(short, Int(value).map(YAMLValue.int) ?? .string(value)) }
        }
    }

    /// One `iscsi:` section for the hosts that have iSCSI (`hosts:` when not all do): initiator
    /// names and targets by value, expression or `per_host`; paths grouped by iface name like
    /// objects; session settings key by key. The multipath drop-in's keys take no `per_host`, so
    /// hosts must agree on them (or differ only by an expression over `index`).
    mutating func iscsiSection() throws -> YAMLValue? {
        let having = zip(real, hosts).compactMap { host, imported in imported.state.iscsi.map { (host, $0) } }
        guard !having.isEmpty else { return nil }
        let owners = having.map(\.0)
        var fields = [YAMLEntry("initiator", PerHostEncoding.encode(having.map { ($0.0, .string($0.1.initiatorName)) }, hosts: owners)),
                      YAMLEntry("targets", PerHostEncoding.encode(having.map { ($0.0, .strings($0.1.targets)) }, hosts: owners))]
        let paths = try objects(kind: "iscsi paths") { state in state.iscsi?.paths.map { ($0.iface, Self.pathFields($0)) } ?? [] }
        fields.append(YAMLEntry("paths", .list(paths)))
        let sessions = having.map { ObjectInstance(host: $0.0, name: "session", fields: Self.sessionFields($0.1.settings)) }
        if sessions.contains(where: { !$0.fields.isEmpty }), let merged = merge(sessions, hosts: owners) {
            fields.append(YAMLEntry("session", .map(merged)))
        }
        if let multipath = try multipathField(having) { fields.append(YAMLEntry("multipath", multipath)) }
        return .map(withHosts(fields, owners, extra: []))
    }

    func multipathField(_ having: [(DraftHost, DesiredISCSI)]) throws -> YAMLValue? {
        var parsed: [(DraftHost, MultipathDropInText.Sections)] = []
        for (host, iscsi) in having {
            guard let text = iscsi.multipathConfig else { continue }
            switch MultipathDropInText.parse(text, pool: pool) {
            case .success(let sections): parsed.append((host, sections))
            case .failure(let failure): throw PoolFileDraftError("host \(host.name): multipath drop-in cannot be written in the file: \(failure.reason)")
            }
        }
        guard !parsed.isEmpty else { return nil }
        let without = having.filter { h in !parsed.contains { $0.0 == h.0 } }.map(\.0.name)
        let shape = parsed[0].1.map { ($0.section, $0.entries.map(\.key)) }
        let differing = parsed.filter { $0.1.map { ($0.section, $0.entries.map(\.key)) }.elementsEqual(shape, by: ==) == false }.map(\.0.name)
        guard without.isEmpty, differing.isEmpty else {
            let which = without.isEmpty ? "hosts \(differing.joined(separator: ", ")) set other keys than host \(parsed[0].0.name)"
                                        : "hosts \(without.joined(separator: ", ")) have none, host \(parsed[0].0.name) has one"
            throw PoolFileDraftError("iscsi multipath: \(which); a pool file gives every host of its iscsi section the same multipath keys")
        }
        var sections: [YAMLEntry] = []
        for (position, section) in parsed[0].1.enumerated() {
            var entries: [YAMLEntry] = []
            for (column, entry) in section.entries.enumerated() {
                let values = parsed.map { ($0.0, YAMLValue.string($0.1[position].entries[column].value)) }
                guard let value = PerHostEncoding.common(values) else {
                    throw PoolFileDraftError("iscsi multipath \(section.section) \(entry.key): hosts differ (\(values.map { "\($0.0.name) \($0.1)" }.joined(separator: ", "))) and multipath keys take no per_host; make them agree, then merge")
                }
                entries.append(YAMLEntry(entry.key, value))
            }
            sections.append(YAMLEntry(section.section, .map(entries)))
        }
        return .map(sections)
    }
}
