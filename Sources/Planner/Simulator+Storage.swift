import HostState

extension Simulator {
    /// What a storage step does to the model, as open-iscsi and multipathd would.
    static func apply(_ action: StorageAction, to state: inout ISCSIState) {
        switch action {
        case let .writeInitiatorName(name, _): state.initiatorName = name
        case .createIface(let i):
            state.ifaces.append(i)
            state.ownedIfaces.insert(i.name)
        case .deleteIface(let i):
            state.ifaces.removeAll { $0.name == i.name }
            state.ownedIfaces.remove(i.name)
        case .updateIface(let i, _):
            if let k = state.ifaces.firstIndex(where: { $0.name == i.name }) { state.ifaces[k] = i }
        case .createNode(let n): state.nodes.append(n)
        case .deleteNode(let n): state.nodes.removeAll { $0.key == n.key }
        case let .setNodeSettings(key, settings, _):
            if let k = state.nodes.firstIndex(where: { $0.key == key }) { state.nodes[k].settings.merge(settings) { $1 } }
        case .login(let key):
            let timeout = state.nodes.first { $0.key == key }?.settings["node.session.timeo.replacement_timeout"].flatMap { Int($0) } ?? 120
            state.sessions.append(ISCSISession(id: (state.sessions.map(\.id).max() ?? 0) + 1, key: key, state: "LOGGED_IN", recoveryTimeout: timeout))
        case .logout(let key): state.sessions.removeAll { $0.key == key }
        case let .setRecoveryTimeout(key, seconds, _):
            if let k = state.sessions.firstIndex(where: { $0.key == key }) { state.sessions[k].recoveryTimeout = seconds }
        case let .writeMultipathConfig(content, _): state.multipathConfig = content
        case let .addMultipathMap(wwid, _):
            for k in state.multipathPaths?.indices ?? (0..<0) where state.multipathPaths![k].wwid == wwid { state.multipathPaths![k].map = wwid }
        case let .removeMultipathMap(wwid, _):
            for k in state.multipathPaths?.indices ?? (0..<0) where state.multipathPaths![k].wwid == wwid { state.multipathPaths![k].map = "[orphan]" }
        case let .markIface(name, owned):
            if owned { state.ownedIfaces.insert(name) } else { state.ownedIfaces.remove(name) }
        case .createVPort, .deleteVPort, .setVPortSymbolicName, .markVPort:
            break  // Fibre Channel: see apply(_:to: inout FCState)
        }
    }

    /// What an NPIV step does to the model, as the FC transport would (the vport comes up in the
    /// state a fabric gives it; the model says Active).
    static func apply(_ action: StorageAction, to state: inout FCState) {
        switch action {
        case .createVPort(let v):
            let parent = state.hosts.first { $0.portName == v.parent || $0.permanentPortName == v.parent }?.name ?? "?"
            state.vports.append(FCVPort(name: "vport-\(v.wwpn)", parent: parent, portName: v.wwpn, nodeName: v.wwnn, state: "Active",
                                        symbolicName: v.symbolicName))
            state.ownedVPorts.insert(v.wwpn)
        case .deleteVPort(let v):
            state.vports.removeAll { $0.portName == v.wwpn }
            state.ownedVPorts.remove(v.wwpn)
        case let .setVPortSymbolicName(wwpn, name, _):
            if let k = state.vports.firstIndex(where: { $0.portName == wwpn }) { state.vports[k].symbolicName = name }
        case let .markVPort(v, _, owned):
            if owned { state.ownedVPorts.insert(v.wwpn) } else { state.ownedVPorts.remove(v.wwpn) }
        default: break
        }
    }
}
