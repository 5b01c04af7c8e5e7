import HostState

/// Writes (content nil: removes) poolnet's drop-in that makes another manager leave the pool
/// file's devices alone, then has that manager reload. Carries what it replaces, like `Action`.
public struct HandOverAction: Hashable, Codable, Sendable {
    public var manager: ForeignManager
    public var path: String
    public var content: String?
    public var previous: String?
    /// The devices the new content hands over (empty when the file goes).
    public var devices: [String]
    public var previousDevices: [String]

    public init(manager: ForeignManager, path: String, content: String?, previous: String?, devices: [String], previousDevices: [String]) {
        self.manager = manager
        self.path = path
        self.content = content
        self.previous = previous
        self.devices = devices
        self.previousDevices = previousDevices
    }

    public var inverse: HandOverAction {
        HandOverAction(manager: manager, path: path, content: previous, previous: content, devices: previousDevices, previousDevices: devices)
    }

    public var symbol: Character { content == nil ? "-" : previous == nil ? "+" : "~" }

    /// `NetworkManager hand-over /etc/NetworkManager/conf.d/95-poolnet-a.conf (new): unmanages nm0, nm1`
    public var summary: String {
        let name = "\(manager.displayName) hand-over \(path)"
        if content == nil { return "\(name) (removed: \(manager.displayName) may manage \(previousDevices.joined(separator: ", ")) again)" }
        return "\(name) (\(previous == nil ? "new" : "changed")): unmanages \(devices.joined(separator: ", ")), then reload"
    }
}
