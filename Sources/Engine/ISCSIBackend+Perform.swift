import Planner
import Storage

extension ISCSIBackend {
    /// Runs one planned storage step.
    func perform(_ action: StorageAction) throws {
        switch action {
        case .writeInitiatorName(let name, _): try writeInitiatorName(name)
        case .createIface(let iface): try createIface(iface)
        case .deleteIface(let iface): try deleteIface(iface)
        case let .updateIface(iface, previous): try updateIface(iface, previous: previous)
        case .createNode(let record): try createNode(record)
        case .deleteNode(let record): try deleteNode(record.key)
        case let .setNodeSettings(key, settings, _): try setNodeSettings(key, settings)
        case .login(let key): try login(key)
        case .logout(let key): try logout(key)
        case let .setRecoveryTimeout(key, seconds, _): try setRecoveryTimeout(key, seconds: seconds)
        case .writeMultipathConfig(let content, _): try writeMultipathConfig(content)
        case let .addMultipathMap(wwid, device): try addMultipathMap(wwid: wwid, device: device)
        case let .removeMultipathMap(wwid, device): try removeMultipathMap(wwid: wwid, device: device)
        }
    }
}
