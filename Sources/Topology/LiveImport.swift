import HostState

/// One host of a pool file being written: the desired state it must resolve to, and notes (YAML
/// comments) for what could not be written as objects.
public struct ImportedHost: Sendable {
    public var name: String
    public var index: Int
    public var state: DesiredState
    public var notes: [String]

    public init(name: String, index: Int, state: DesiredState, notes: [String] = []) {
        self.name = name
        self.index = index
        self.state = state
        self.notes = notes
    }
}

/// Turns a live read into the desired state a pool file must give for `plan` to be empty:
/// `poolnet import`. Pure; the engine does the read.
public enum LiveImport {
    public static let mark = SourceMark(file: "<live host>", line: 0, column: 0)

    /// Guest ports the hypervisor attaches: Xen netback vifs (`vifD.N`), Xen/KVM taps (`tapD.N`,
    /// `tapN`, kind tun), libvirt's `vnetN`, and any tun/tap device. They are never declared.
    public static func isGuestPort(_ link: LinkState) -> Bool {
        if link.kind == .other("tun") { return true }
        return ["vif", "tap", "vnet"].contains { prefix in
            link.name.hasPrefix(prefix) && link.name.dropFirst(prefix.count).first.map(\.isNumber) == true
        }
    }

    static let ipv4Keys = ["arp_ignore", "arp_announce", "rp_filter", "arp_filter"]
    static let ipv6Keys = ["disable_ipv6", "accept_ra", "autoconf"]

    /// Links that may become storage NICs: anything but a bridge that carries an address or a
    /// jumbo MTU. Their storage sysctls (and `all`, `default`) are read for the import.
    public static func sysctlKeys(for state: CurrentState) -> [SysctlKey] {
        let addressed = Set(state.addresses.filter { !isLinkLocal($0.prefix) }.map(\.link))
        var keys: [SysctlKey] = []
        for link in state.links where link.kind != .bridge && link.name != "lo" && (addressed.contains(link.name) || link.mtu > 1500) {
            for name in ipv4Keys { keys += [SysctlKey(.ipv4, link.name, name)] }
            for name in ipv6Keys { keys += [SysctlKey(.ipv6, link.name, name)] }
        }
        guard !keys.isEmpty else { return [] }
        for name in ipv4Keys { keys += [SysctlKey(.ipv4, "all", name), SysctlKey(.ipv4, "default", name)] }
        return keys
    }

    /// IPv6 link-local addresses come with the link; the file never declares them.
    static func isLinkLocal(_ prefix: IPPrefix) -> Bool {
        prefix.family == .ipv6 && prefix.bytes.count == 16 && prefix.bytes[0] == 0xFE && prefix.bytes[1] & 0xC0 == 0x80
    }

    public static func host(from current: CurrentState, pool: String, host: String, index: Int) -> ImportedHost {
        var notes: [String] = []
        var state = DesiredState(pool: pool, host: host)
        let links = current.linksByName()
        let addresses = current.addresses.filter { !isLinkLocal($0.prefix) }
        let byLink = Dictionary(grouping: addresses, by: \.link)
        let sysctls = current.sysctlValues()
        let defaultRoutes = Set(current.routes.filter(\.isDefault).map(\.link))
        let ours = [Ownership.linkAlias(pool: pool), Ownership.portAlias(pool: pool)]
        func foreignPool(_ link: LinkState) -> Bool {
            guard let alias = link.alias, alias.hasPrefix("poolnet:") else { return false }
            return !ours.contains(alias)
        }
        func desiredAddresses(_ name: String) -> [DesiredAddress] {
            (byLink[name] ?? []).map { DesiredAddress(prefix: $0.prefix, mark: mark) }.sorted { $0.prefix.description < $1.prefix.description }
        }
        let children = Dictionary(grouping: current.links.filter { $0.master != nil }, by: { $0.master! })
        var guests: [String] = []
        var idle: [String] = []

        for link in current.links.sorted(by: { $0.index < $1.index }) {
            if link.name == "lo" { continue }
            if isGuestPort(link) {
                guests.append(link.master.map { "\(link.name) (port of \($0))" } ?? link.name)
                continue
            }
            if foreignPool(link) {
                notes.append("\(link.name): marked by another pool (alias \"\(link.alias!)\"); left to that pool's file")
                continue
            }
            let addressed = !(byLink[link.name] ?? []).isEmpty
            if let master = link.master, addressed {
                notes.append("\(link.name): addresses \((byLink[link.name] ?? []).map(\.prefix.description).joined(separator: ", ")) on a port of \(master); poolnet cannot declare addresses on a port: left as they are")
            }
            switch link.kind {
            case .bridge:
                let ports = (children[link.name] ?? []).filter { !isGuestPort($0) && !foreignPool($0) }.sorted { $0.index < $1.index }
                let filtering = link.bridge?.vlanFiltering ?? false
                var portVLANs: [String: [BridgeVLAN]] = [:]
                if filtering { for port in ports { portVLANs[port.name] = (port.bridgeVLANs ?? []).sorted() } }
                // The bridge's MTU goes to its declared ports too: declared only when they all have it.
                let pinnable = ports.allSatisfy { $0.mtu == link.mtu }
                if !pinnable {
                    notes.append("bridge \(link.name): mtu \(link.mtu) not declared: its ports have other MTUs (\(ports.map { "\($0.name) \($0.mtu)" }.joined(separator: ", "))) and poolnet gives declared ports the bridge's MTU")
                }
                state.bridges.append(DesiredBridge(name: link.name, mtu: pinnable ? link.mtu : nil, stp: link.bridge?.stp ?? false,
                                                   vlanFiltering: filtering, selfVLANs: filtering ? (link.bridgeVLANs ?? []).sorted() : nil,
                                                   ports: ports.map(\.name), portVLANs: portVLANs, addresses: desiredAddresses(link.name), mark: mark))
            case .bond:
                guard var options = link.bond else { notes.append("bond \(link.name): options could not be read; left out"); continue }
                if !options.mode.hashes && options.xmitHashPolicy != .layer2 {
                    notes.append("bond \(link.name): xmit_hash_policy \(options.xmitHashPolicy) has no effect in mode \(options.mode) and cannot be declared")
                }
                if options.mode != .lacp { options.lacpFast = false }
                if !options.mode.hashes { options.xmitHashPolicy = .layer2 }
                if !options.mode.hasPrimary { options.primary = nil }
                let members = (children[link.name] ?? []).sorted { $0.index < $1.index }.map(\.name)
                guard !members.isEmpty else { notes.append("bond \(link.name): no members; a pool file's bond needs one; left out"); continue }
                state.bonds.append(DesiredBond(name: link.name, members: members, mtu: link.mtu, options: options, mark: mark))
                if addressed && link.master == nil { state.nics.append(nic(link, desiredAddresses(link.name), sysctls, &notes)) }
            case .vlan:
                guard let parent = link.link, let id = link.vlanID else {
                    notes.append("vlan \(link.name): its parent is not in this namespace; left out")
                    continue
                }
                if links[parent]?.kind == .bridge {
                    notes.append("vlan \(link.name): on bridge \(parent); poolnet puts VLANs on NICs and bonds (use a VLAN-aware bridge); left out")
                    continue
                }
                if links[parent]?.kind == .vxlan {
                    notes.append("vlan \(link.name): on vxlan \(parent); poolnet puts VLANs on NICs and bonds (give each network its own VNI); left out")
                    continue
                }
                state.vlans.append(DesiredVLAN(name: link.name, link: parent, id: id, mtu: link.mtu, mark: mark))
                if addressed && link.master == nil { state.nics.append(nic(link, desiredAddresses(link.name), sysctls, &notes)) }
            case .vxlan:
                guard var info = link.vxlan, info.local != nil else {
                    notes.append("vxlan \(link.name): no local VTEP address (multicast or learning setups); poolnet needs one; left out")
                    continue
                }
                info.remotes = (info.remotes ?? []).sorted()
                if addressed { notes.append("vxlan \(link.name): addresses on a VXLAN cannot be declared; left as they are") }
                state.vxlans.append(DesiredVXLAN(name: link.name, info: info, mtu: link.mtu, mark: mark))
            case .device, .veth:
                if link.master != nil { continue }  // a port or member: declared with its bridge or bond
                guard addressed || link.mtu > 1500 else { idle.append(link.name); continue }
                if defaultRoutes.contains(link.name) {
                    notes.append("\(link.name): carries the default route; a storage NIC never does (poolnet would remove the route); left out")
                    continue
                }
                state.nics.append(nic(link, desiredAddresses(link.name), sysctls, &notes))
            default:  // a kind poolnet does not have, or one import does not read (yet)
                let extra = addressed ? " with addresses \((byLink[link.name] ?? []).map(\.prefix.description).joined(separator: ", "))" : ""
                let known = Topology.desiredLinkTypes.contains { $0.kind == link.kind }
                notes.append("\(link.name): a \(link.kind) device\(extra); \(known ? "import does not read this kind" : "poolnet has no such kind"); left as it is")
            }
        }
        let declared = Set(state.nics.map(\.name) + state.bridges.flatMap { [$0.name] + $0.ports } + state.bonds.flatMap { [$0.name] + $0.members }
                           + state.vlans.map(\.name) + state.vxlans.map(\.name))
        let down = current.links.filter { declared.contains($0.name) && !$0.up }.map(\.name).sorted()
        if !down.isEmpty {
            notes.append("down: \(down.joined(separator: ", ")); poolnet brings the links it declares up, so plan shows them as `link up`")
        }
        if !guests.isEmpty {
            notes.append("guest ports left out (names vifN.M, tapN, vnetN, or tun/tap devices: the hypervisor attaches them): \(guests.joined(separator: ", "))")
        }
        if !idle.isEmpty { notes.append("NICs with no address, MTU ≤ 1500 and no master, not declared: \(idle.joined(separator: ", "))") }
        return ImportedHost(name: host, index: index, state: state, notes: notes)
    }

    /// A storage NIC with the storage sysctls it has: what plan compares is each NIC's own value,
    /// with max(all, NIC) for the keys where the kernel uses it.
    static func nic(_ link: LinkState, _ addresses: [DesiredAddress], _ values: [SysctlKey: Int], _ notes: inout [String]) -> DesiredNIC {
        var sysctls: [SysctlKey: Int] = [:]
        for name in ipv4Keys {
            let key = SysctlKey(.ipv4, link.name, name)
            guard var value = values[key] else { continue }
            // rp_filter is in every layout; the others only when set.
            if name != "rp_filter" && value == 0 { continue }
            if maxOfAllSysctls.contains(name), let all = values[key.on("all")], all > value {
                notes.append("storage_nic \(link.name): \(key) is \(value) but \(key.on("all")) is \(all), so the kernel uses \(all); the file says \(all) (plan sets the NIC's own value; the effective value stays)")
                value = all
            }
            sysctls[key] = value
        }
        let v6 = { (name: String) in values[SysctlKey(.ipv6, link.name, name)] }
        if v6("disable_ipv6") == 1 {
            sysctls[SysctlKey(.ipv6, link.name, "disable_ipv6")] = 1
        } else if v6("disable_ipv6") == 0, v6("accept_ra") == 0, v6("autoconf") == 0 {
            for name in ipv6Keys { sysctls[SysctlKey(.ipv6, link.name, name)] = 0 }
        }
        return DesiredNIC(name: link.name, mtu: link.mtu, addresses: addresses, sysctls: sysctls, mark: mark)
    }
}
