import HostState

/// Whether a step's effect shows in a freshly read state. After an apply died midway (SIGKILL,
/// power loss), its intent lists every planned step but not which of them reached the kernel:
/// rollback undoes exactly those whose effect it reads, newest first.
extension Action {
    /// true: the state shows this step's result; false: it does not; nil: the state cannot tell
    /// (the object is gone, or that class was not read).
    public func isInEffect(in state: CurrentState) -> Bool? {
        func link(_ name: String) -> LinkState? { state.links.first { $0.name == name } }
        switch self {
        case .createLink(let n):
            guard let l = link(n.name) else { return false }
            // A create is three requests (create, then alias and MTU, then up): a link of that
            // name and kind without an alias yet is one cut off between them.
            return l.kind == n.kind && (l.alias == n.alias || l.alias == nil)
        case .deleteLink(let s):
            guard let l = link(s.name) else { return true }
            // Same name again, but not the link that was deleted: it was deleted (and someone made another).
            return l.kind != s.kind && l.alias != s.alias ? nil : false
        case let .setMTU(name, mtu, _): return link(name).map { $0.mtu == mtu }
        case let .setUp(name, up): return link(name).map { $0.up == up }
        case let .setMaster(name, master, _): return link(name).map { $0.master == master }
        case let .setAlias(name, alias, _): return link(name).map { $0.alias == alias }
        case let .setBridgeOptions(name, options, _): return link(name)?.bridge.map { $0 == options }
        case let .setBondOptions(name, options, _): return link(name)?.bond.map { $0 == options }
        case let .setBridgeVLANs(name, vlans, _): return link(name)?.bridgeVLANs.map { $0.sorted() == vlans.sorted() }
        case let .setVXLANRemotes(name, remotes, _): return link(name)?.vxlan?.remotes.map { Set($0) == Set(remotes) }
        case let .setSysctl(key, value, _): return state.sysctls.first { $0.key == key }.map { $0.value == value }
        case .addRoute(let r): return state.routes.contains(r)
        case .removeRoute(let r): return !state.routes.contains(r)
        case let .addAddress(name, prefix, _):
            return link(name) == nil ? nil : state.addresses.contains { $0.link == name && $0.prefix == prefix }
        case let .removeAddress(name, prefix, _):
            return link(name) == nil ? nil : !state.addresses.contains { $0.link == name && $0.prefix == prefix }
        case .markAddress(let m):
            guard let address = state.addresses.first(where: { $0.link == m.link && $0.prefix == m.prefix }) else { return nil }
            // Where the kernel is written to, its protocol says; otherwise the pool's record does.
            if m.remarks {
                // A kernel that keeps the old protocol on the replace (IPv4 on Linux 6.1): the
                // record's adopted entry is the adoption.
                let flagged = state.addressOwnership?.recorded?.contains { $0.adopted && $0.link == m.link && $0.prefix == m.prefix } ?? false
                return m.owned ? address.proto == m.proto || flagged : address.proto == m.proto && !flagged
            }
            return state.addressOwnership?.recorded.map { $0.contains { $0.link == m.link && $0.prefix == m.prefix } == m.owned }
        case .storage(let step):
            return step.isFibreChannel ? state.fc.flatMap(step.isInEffect) : state.iscsi.flatMap(step.isInEffect)
        case .handOver(let h):
            return state.foreign?.dropIn(for: h.manager).map { $0.path == h.path && $0.content == h.content }
        }
    }
}

extension StorageAction {
    func isInEffect(in s: ISCSIState) -> Bool? {
        switch self {
        case let .writeInitiatorName(name, _): return s.initiatorName == name
        case .createIface(let i): return s.ifaces.contains { $0.name == i.name }
        case .deleteIface(let i): return !s.ifaces.contains { $0.name == i.name }
        case let .updateIface(i, _): return s.ifaces.first { $0.name == i.name }.map { $0 == i }
        case .createNode(let n): return s.nodes.contains { $0.key == n.key }
        case .deleteNode(let n): return !s.nodes.contains { $0.key == n.key }
        case let .setNodeSettings(key, settings, _):
            return s.nodes.first { $0.key == key }.map { node in settings.allSatisfy { node.settings[$0.key] == $0.value } }
        case .login(let key): return s.sessions.contains { $0.key == key }
        case .logout(let key): return !s.sessions.contains { $0.key == key }
        case let .setRecoveryTimeout(key, seconds, _): return s.sessions.first { $0.key == key }?.recoveryTimeout.map { $0 == seconds }
        case let .writeMultipathConfig(content, _): return s.multipathConfig == content
        case let .addMultipathMap(wwid, _): return s.multipathMaps.map { maps in maps.contains { $0.wwid == wwid } }
        case let .removeMultipathMap(wwid, _): return s.multipathMaps.map { maps in !maps.contains { $0.wwid == wwid } }
        case let .markIface(name, owned): return s.ownedIfaces.contains(name) == owned
        case .createVPort, .deleteVPort, .setVPortSymbolicName, .markVPort: return nil
        }
    }

    func isInEffect(in s: FCState) -> Bool? {
        switch self {
        case .createVPort(let v): return s.vports.contains { $0.portName == v.wwpn }
        case .deleteVPort(let v): return !s.vports.contains { $0.portName == v.wwpn }
        case let .setVPortSymbolicName(wwpn, name, _): return s.vports.first { $0.portName == wwpn }.map { $0.symbolicName == name }
        // The record holds the adoption; the vport itself is untouched.
        case let .markVPort(v, _, owned): return s.ownedVPorts.contains(v.wwpn) == owned
        default: return nil
        }
    }
}
