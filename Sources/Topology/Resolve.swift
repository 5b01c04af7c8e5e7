import HostState

extension Topology {
    /// This host's desired state: every object that applies to it, with per-host values resolved.
    /// Throws every problem found, each naming file:line:col, the host and the object.
    public func resolve(host name: String) throws(TopologyErrors) -> DesiredState {
        guard let host = host(named: name) else {
            let known = hosts.map(\.name).joined(separator: ", ")
            throw TopologyErrors([TopologyError("host \"\(name)\" is not in the pool file (hosts: \(known)); pass --host",
                                                at: SourceMark(file: file, line: 1, column: 1))])
        }
        let errors = ErrorSink()
        var state = DesiredState(pool: pool, host: name)
        state.nics = storageNICs.compactMap { spec in errors.collect { try spec.resolve(for: host, layout: layout) } ?? nil }
        for kind in Self.linkKinds { kind.resolveAll(self, for: host, into: &state.links, errors: errors) }
        var warnings: [TopologyError] = []
        state.vports = vports.compactMap { spec in errors.collect { try spec.resolve(for: host, warnings: &warnings) } ?? nil }
        state.warnings = warnings
        state.coexist = coexist
        let allNICs = state.nics.count == storageNICs.filter { $0.header.applies(to: host.name) }.count
        if let iscsi { state.iscsi = errors.collect { try iscsi.resolve(for: host, pool: pool, nics: state.nics, layout: layout, allNICs: allNICs) } ?? nil }
        inheritBridgeMTU(&state, errors: errors)
        checkHost(state, errors: errors)
        checkKernelDerived(state, errors: errors)
        guard errors.errors.isEmpty else { throw TopologyErrors(errors.errors) }
        return state
    }

    /// Cross-object rules on one host: unique names, ports that are free to enslave, unique addresses.
    func checkHost(_ state: DesiredState, errors: ErrorSink) {
        let host = state.host
        var owners: [String: (kind: String, mark: SourceMark)] = [:]
        func claim(_ name: String, kind: String, mark: SourceMark) {
            if let other = owners[name] {
                errors.add("\(name) is declared twice (also as \(other.kind) at line \(other.mark.line))", at: mark, host: host, object: "\(kind) \(name)")
            } else {
                owners[name] = (kind, mark)
            }
        }
        let links = state.links.all
        owners.reserveCapacity(links.count + state.nics.count)
        links.forEach { claim($0.name, kind: type(of: $0).fileKind, mark: $0.mark) }
        // A storage NIC may be a VLAN or bond the file creates: the storage role goes on top.
        let created = Dictionary(links.filter { type(of: $0).mayCarryStorageRole }.map { ($0.name, ($0.mtu, type(of: $0).fileKind, $0.mark)) },
                                 uniquingKeysWith: { a, _ in a })
        for nic in state.nics {
            if let (mtu, kind, mark) = created[nic.name] {
                if let a = mtu, let b = nic.mtu, a != b {
                    errors.add("mtu \(b) differs from the mtu \(a) of \(kind) \(nic.name) (line \(mark.line))",
                               at: nic.mark, host: host, object: "storage_nic \(nic.name)")
                }
            } else {
                claim(nic.name, kind: "storage_nic", mark: nic.mark)
            }
        }
        var wwpns: [WWN: DesiredVPort] = [:]
        for vport in state.vports {
            if state.vports.first(where: { $0.name == vport.name })?.mark != vport.mark {
                errors.add("vport \(vport.name) is declared twice", at: vport.mark, host: host, object: "vport \(vport.name)")
            }
            if let other = wwpns[vport.wwpn] {
                errors.add("wwpn \(vport.wwpn) is also vport \(other.name)'s", at: vport.mark, host: host, object: "vport \(vport.name)")
            }
            wwpns[vport.wwpn] = vport
        }
        // A member belongs to one bond and is nothing else.
        var memberOf: [String: String] = [:]
        for bond in state.bonds {
            for member in bond.members {
                if let other = memberOf[member] {
                    errors.add("member \(member) is already a member of bond \(other)", at: bond.mark, host: host, object: "bond \(bond.name)")
                } else if let owner = owners[member] {
                    errors.add("member \(member) is a \(owner.kind) declared at line \(owner.mark.line); a bond member is a plain NIC",
                               at: bond.mark, host: host, object: "bond \(bond.name)")
                }
                memberOf[member] = bond.name
            }
        }
        for bridge in state.bridges {
            for port in bridge.ports where memberOf[port] != nil {
                errors.add("port \(port) is a member of bond \(memberOf[port]!); use the bond as the port",
                           at: bridge.mark, host: host, object: "bridge \(bridge.name)")
            }
        }
        let bridgeNames = Set(state.bridges.map(\.name))
        for vlan in state.vlans where bridgeNames.contains(vlan.link) {
            errors.add("the parent \(vlan.link) is a bridge; put VLANs on a NIC or bond (or use a VLAN-aware bridge)",
                       at: vlan.mark, host: host, object: "vlan \(vlan.name)")
        }
        // A VLAN and a VXLAN stand at one depth of the stack: poolnet would create the VLAN before
        // its parent (the apply failed and rolled back), and could not rebuild it when the VXLAN
        // is replaced. Refused, as a VLAN on a bridge is.
        let vxlanNames = Set(state.vxlans.map(\.name))
        for vlan in state.vlans where vxlanNames.contains(vlan.link) {
            errors.add("the parent \(vlan.link) is a vxlan; put VLANs on a NIC or bond (a VXLAN carries one network: give each its own VNI)",
                       at: vlan.mark, host: host, object: "vlan \(vlan.name)")
        }

        var portOwner: [String: String] = [:]
        for bridge in state.bridges {
            for port in bridge.ports {
                // A VLAN or bond is a bridge's normal uplink; a storage NIC or another bridge is not.
                if let owner = owners[port], owner.kind == "storage_nic" || owner.kind == "bridge" {
                    errors.add("port \(port) is a \(owner.kind) declared at line \(owner.mark.line); it cannot be a bridge port",
                               at: bridge.mark, host: host, object: "bridge \(bridge.name)")
                }
                if let other = portOwner[port] {
                    errors.add("port \(port) is already a port of bridge \(other)", at: bridge.mark, host: host, object: "bridge \(bridge.name)")
                }
                portOwner[port] = bridge.name
            }
        }

        var seen: [[UInt8]: (object: AddressHolder, mark: SourceMark)] = [:]
        for (object, _, address) in state.allAddresses {
            if let other = seen[address.prefix.bytes] {
                errors.add("address \(address.prefix.address) is also declared by \(other.object) (line \(other.mark.line))",
                           at: address.mark, host: host, object: object.description)
            }
            seen[address.prefix.bytes] = (object, address.mark)
        }
    }

    /// Checks the whole pool: every host resolves, and no address is used by two hosts.
    /// Returns all problems (empty when the file is good).
    public func validate() -> [TopologyError] { validateResolving().errors }

    /// The hosts other than `host` that resolve, in the file's order, up to the first that does
    /// not (`validateResolving` resolves that one and the rest itself, within its error budget, and
    /// reports them); nothing for a file past the hosts × values bound. For a caller that resolves
    /// `host` on another thread meanwhile and then passes both as `known`.
    public func resolveHosts(except host: String) -> [String: DesiredState] {
        guard hosts.count * valueCount <= InputLimits.maxHostValues else { return [:] }
        var states: [String: DesiredState] = [:]
        for other in hosts where other.name != host {
            guard let state = try? resolve(host: other.name) else { break }
            states[other.name] = state
        }
        return states
    }

    /// `validate()`, also returning every host's resolved state so callers need not resolve again.
    /// `known`: hosts already resolved by the caller (their `resolve(host:)`), not resolved again.
    public func validateResolving(known: [String: DesiredState] = [:]) -> (errors: [TopologyError], states: [String: DesiredState]) {
        if hosts.count * valueCount > InputLimits.maxHostValues {
            return ([TopologyError("\(hosts.count) hosts × about \(valueCount) values is more than the \(InputLimits.maxHostValues) value checks validation allows; "
                                   + "split the pool file", at: SourceMark(file: file, line: 1, column: 1))], [:])
        }
        var states: [String: DesiredState] = [:]
        var errors: [TopologyError] = []
        var used: [[UInt8]: (host: String, object: AddressHolder)] = [:]
        var initiators: [String: String] = [:]
        var wwns: [WWN: (host: String, what: String)] = [:]
        var parents: [(DesiredVPort, String)] = []
        for (position, host) in hosts.enumerated() {
            // Past the error budget the remaining hosts would mostly repeat the same mistakes.
            if errors.count >= InputLimits.maxErrors {
                let rest = hosts[position...].map(\.name)
                errors.append(TopologyError("validation stopped after \(errors.count) errors; not checked: host\(rest.count == 1 ? "" : "s") "
                                            + TopologyErrors.hostRanges(rest),
                                            at: SourceMark(file: file, line: 1, column: 1)))
                break
            }
            do {
                let state: DesiredState
                if let given = known[host.name] { state = given } else { state = try resolve(host: host.name) }
                states[host.name] = state
                // WWNs are unique pool-wide: a vport's names against every other vport and parent.
                for vport in state.vports {
                    for (wwn, what) in [(vport.wwpn, "wwpn"), (vport.wwnn, "wwnn")] {
                        if let other = wwns[wwn], other.host != host.name || other.what != "vport \(vport.name) \(what)" {
                            errors.append(TopologyError("\(what) \(wwn) is also \(other.what) on host \(other.host)", at: vport.mark, host: host.name, object: "vport \(vport.name)"))
                        }
                        wwns[wwn] = (host.name, "vport \(vport.name) \(what)")
                    }
                }
                parents += state.vports.map { ($0, host.name) }
                if let iscsi = state.iscsi {
                    if let other = initiators[iscsi.initiatorName] {
                        errors.append(TopologyError("initiator \(iscsi.initiatorName) is also host \(other)'s; each host needs its own IQN",
                                                    at: iscsi.mark, host: host.name, object: "iscsi"))
                    }
                    initiators[iscsi.initiatorName] = host.name
                }
                for (object, _, address) in state.allAddresses {
                    let key = address.prefix.bytes
                    if let other = used[key], other.host != host.name {
                        errors.append(TopologyError("address \(address.prefix.address) is also used on host \(other.host) by \(other.object)",
                                                    at: address.mark, host: host.name, object: object.description))
                    } else {
                        used[key] = (host.name, object)
                    }
                }
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        for (vport, host) in parents {
            if let other = wwns[vport.parent] {
                errors.append(TopologyError("parent \(vport.parent) is \(other.what) on host \(other.host), not a physical port",
                                            at: vport.mark, host: host, object: "vport \(vport.name)"))
            }
        }
        return (TopologyErrors(errors).errors, states)
    }
}
