import HostState

/// Each kind's fields as the pool file spells them, from one host's desired state.
extension PoolFileDraft {
    static func addresses(_ list: [DesiredAddress]) -> YAMLValue { .strings(list.map(\.prefix.description)) }

    static func nicFields(_ nic: DesiredNIC, layout: StorageLayout) throws -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(nic.name))]
        if let mtu = nic.mtu { fields.append(YAMLEntry("mtu", .int(Int(mtu)))) }
        if !nic.addresses.isEmpty { fields.append(YAMLEntry("addresses", Self.addresses(nic.addresses))) }
        var v6: [String: Int] = [:]
        var overrides: [YAMLEntry] = []
        for (key, value) in nic.sysctls.sorted(by: { $0.key < $1.key }) {
            if key.family == .ipv6 { v6[key.name] = value; continue }
            guard overridableSysctls[key.name] != nil else {
                throw PoolFileDraftError("storage_nic \(nic.name): sysctl \(key) cannot be written in a pool file")
            }
            if layout.sysctls[key.name] != value { overrides.append(YAMLEntry(key.name, .int(value))) }
        }
        for name in layout.sysctls.keys.sorted() where nic.sysctls[SysctlKey(.ipv4, nic.name, name)] == nil {
            throw PoolFileDraftError("storage_nic \(nic.name): layout \(layout.rawValue) sets \(name), which this host's NIC does not have (could it not be read?)")
        }
        if !v6.isEmpty {
            guard let mode = IPv6Mode.allCases.first(where: { $0.sysctls == v6 }) else {
                throw PoolFileDraftError("storage_nic \(nic.name): IPv6 settings \(v6.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) match no ipv6 mode (on, off, no-autoconf)")
            }
            fields.append(YAMLEntry("ipv6", .string(mode.rawValue)))
        }
        if !overrides.isEmpty { fields.append(YAMLEntry("sysctls", .map(overrides))) }
        return fields
    }

    static func bondFields(_ bond: DesiredBond) -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(bond.name)), YAMLEntry("mode", .string(bond.options.mode.description)),
                      YAMLEntry("members", .strings(bond.members))]
        if let mtu = bond.mtu { fields.append(YAMLEntry("mtu", .int(Int(mtu)))) }
        fields.append(YAMLEntry("miimon", .int(Int(bond.options.miimon))))
        if bond.options.mode == .lacp { fields.append(YAMLEntry("lacp_rate", .string(bond.options.lacpFast ? "fast" : "slow"))) }
        if bond.options.mode.hashes { fields.append(YAMLEntry("xmit_hash_policy", .string(bond.options.xmitHashPolicy.description))) }
        if let primary = bond.options.primary { fields.append(YAMLEntry("primary", .string(primary))) }
        return fields
    }

    static func vlanFields(_ vlan: DesiredVLAN) -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(vlan.name)), YAMLEntry("link", .string(vlan.link)), YAMLEntry("id", .int(Int(vlan.id)))]
        if let mtu = vlan.mtu { fields.append(YAMLEntry("mtu", .int(Int(mtu)))) }
        return fields
    }

    static func vxlanFields(_ vxlan: DesiredVXLAN) -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(vxlan.name)), YAMLEntry("vni", .int(Int(vxlan.info.vni))),
                      YAMLEntry("local", .string(vxlan.info.local ?? ""))]
        if let device = vxlan.info.device { fields.append(YAMLEntry("device", .string(device))) }
        if vxlan.info.port != 4789 { fields.append(YAMLEntry("port", .int(Int(vxlan.info.port)))) }
        if let mtu = vxlan.mtu { fields.append(YAMLEntry("mtu", .int(Int(mtu)))) }
        return fields
    }

    static func bridgeFields(_ bridge: DesiredBridge) -> [YAMLEntry] {
        var fields = [YAMLEntry("name", .string(bridge.name))]
        if let mtu = bridge.mtu { fields.append(YAMLEntry("mtu", .int(Int(mtu)))) }
        fields.append(YAMLEntry("stp", .bool(bridge.stp)))
        if bridge.vlanFiltering { fields.append(YAMLEntry("vlan_filtering", .bool(true))) }
        if let own = bridge.selfVLANs { fields += vlanSet(own) }
        if !bridge.ports.isEmpty {
            fields.append(YAMLEntry("ports", .list(bridge.ports.map { port in
                guard let vlans = bridge.portVLANs[port] else { return .string(port) }
                return .map([YAMLEntry("name", .string(port))] + vlanSet(vlans))
            })))
        }
        if !bridge.addresses.isEmpty { fields.append(YAMLEntry("addresses", addresses(bridge.addresses))) }
        return fields
    }

    /// An exact VLAN set as `vlans`, `pvid` and `untagged` (an empty set is `vlans: []`).
    static func vlanSet(_ set: [BridgeVLAN]) -> [YAMLEntry] {
        let ids = set.map(\.vid)
        var fields = [YAMLEntry("vlans", ids.count == 1 ? .int(Int(ids[0])) : ids.isEmpty ? .list([]) : .string(ranges(ids)))]
        if let pvid = set.first(where: \.pvid) { fields.append(YAMLEntry("pvid", .int(Int(pvid.vid)))) }
        let untagged = set.filter(\.untagged).map(\.vid)
        if !untagged.isEmpty { fields.append(YAMLEntry("untagged", untagged.count == 1 ? .int(Int(untagged[0])) : .string(ranges(untagged)))) }
        return fields
    }

    /// `1-10,20`
    static func ranges(_ ids: [UInt16]) -> String {
        var parts: [String] = []
        var i = 0
        let sorted = ids.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(j > i ? "\(sorted[i])-\(sorted[j])" : "\(sorted[i])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// A VXLAN's remote VTEPs are the other hosts that have it. Remotes no host of the file
    /// accounts for (the whole pool is not merged yet) get a pseudo host each, which carries only
    /// VXLANs. Every host of the group must have the same such remotes, or no file can say it.
    mutating func addRemoteVTEPs(_ group: [ObjectInstance]) throws -> ([ObjectInstance], [DraftHost]) {
        let states = Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0.state) })
        let name = group[0].name
        func info(_ i: ObjectInstance) -> VXLANInfo { states[i.host.name]!.vxlans.first { $0.name == i.name }!.info }
        let locals = Dictionary(uniqueKeysWithValues: group.map { ($0.host.name, info($0).local ?? "") })
        var extra: Set<String>?
        for instance in group {
            let remotes = Set(info(instance).remotes ?? [])
            let others = Set(group.filter { $0.host != instance.host }.map { locals[$0.host.name]! })
            let missing = others.subtracting(remotes)
            if !missing.isEmpty {
                throw PoolFileDraftError("vxlan \(name) on host \(instance.host.name): remote VTEPs \(remotes.sorted().joined(separator: " ")) lack \(missing.sorted().joined(separator: " ")), the VTEP of other hosts with this VXLAN; the pool file makes every host a remote of every other")
            }
            let rest = remotes.subtracting(others)
            if let extra, extra != rest {
                throw PoolFileDraftError("vxlan \(name): hosts disagree on the remote VTEPs outside the merged hosts (\(extra.sorted().joined(separator: " ")) against \(rest.sorted().joined(separator: " ")) on \(instance.host.name))")
            }
            extra = rest
        }
        var pseudoHosts: [DraftHost] = []
        var instances = group
        let nextIndex = (real.map(\.index) + pseudo.values.map(\.index)).max() ?? 0
        for (offset, address) in (extra ?? []).sorted().enumerated() {
            let host = pseudo[address] ?? DraftHost(name: "vtep-" + address.map { $0 == "." || $0 == ":" ? "-" : $0 }.map(String.init).joined(),
                                                    index: nextIndex + 1 + offset, pseudo: true)
            pseudo[address] = host
            pseudoHosts.append(host)
            var fields = group[0].fields
            if let i = fields.firstIndex(where: { $0.key == "local" }) { fields[i].value = .string(address) }
            instances.append(ObjectInstance(host: host, name: name, fields: fields))
        }
        return (instances, pseudoHosts)
    }
}
