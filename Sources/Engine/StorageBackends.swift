import HostState
import Planner
import Storage

/// The storage backends one run needs: iSCSI when the file declares it (or poolnet still owns
/// ifaces), Fibre Channel when the file declares vports (or poolnet still owns some).
struct StorageBackends: Sendable {
    var iscsi: ISCSIBackend?
    var fc: FCBackend?
    /// The host's other network managers: read for the file's devices, written by hand-over steps.
    var foreign: ForeignManagerReader?
    var handOver = HandOver()
    var foreignDevices: [String] = []

    var isEmpty: Bool { iscsi == nil && fc == nil }

    /// Runs one planned storage step.
    func perform(_ action: StorageAction) throws {
        if action.isFibreChannel {
            guard let fc else { throw StorageError("no Fibre Channel backend") }
            switch action {
            case .createVPort(let v): try fc.create(parent: v.parent, wwpn: v.wwpn, wwnn: v.wwnn, symbolicName: v.symbolicName)
            case .deleteVPort(let v): try fc.delete(parent: v.parent, wwpn: v.wwpn, wwnn: v.wwnn)
            case let .setVPortSymbolicName(wwpn, name, _): try fc.setSymbolicName(wwpn: wwpn, name: name)
            case let .markVPort(v, _, owned): try fc.recordVPort(v.wwpn, owned: owned)
            default: break
            }
            return
        }
        guard let iscsi else { throw StorageError("no iSCSI backend") }
        switch action {
        case .writeInitiatorName(let name, _): try iscsi.writeInitiatorName(name)
        case .createIface(let iface): try iscsi.createIface(iface)
        case .deleteIface(let iface): try iscsi.deleteIface(iface)
        case let .updateIface(iface, previous): try iscsi.updateIface(iface, previous: previous)
        case .createNode(let record): try iscsi.createNode(record)
        case .deleteNode(let record): try iscsi.deleteNode(record.key)
        case let .setNodeSettings(key, settings, _): try iscsi.setNodeSettings(key, settings)
        case .login(let key): try iscsi.login(key)
        case .logout(let key): try iscsi.logout(key)
        case let .setRecoveryTimeout(key, seconds, _): try iscsi.setRecoveryTimeout(key, seconds: seconds)
        case .writeMultipathConfig(let content, _): try iscsi.writeMultipathConfig(content)
        case let .addMultipathMap(wwid, device): try iscsi.addMultipathMap(wwid: wwid, device: device)
        case let .removeMultipathMap(wwid, device): try iscsi.removeMultipathMap(wwid: wwid, device: device)
        case let .markIface(name, owned): try iscsi.recordIface(name, owned: owned)
        case .createVPort, .deleteVPort, .setVPortSymbolicName, .markVPort: break
        }
    }

    /// Reads what the backends cover into `state`.
    func read(into state: inout CurrentState) throws {
        if let iscsi { state.iscsi = try iscsi.read() }
        if let fc { state.fc = fc.read() }
        if let foreign { state.foreign = foreign.read(devices: foreignDevices, links: state.links) }
    }
}
