import HostState

/// What poolnet does about a device another manager also claims (`coexist:` in the pool file).
public enum CoexistMode: String, Sendable, Equatable, CaseIterable, Codable {
    /// poolnet writes a drop-in that makes the manager let go of the file's devices
    /// (NetworkManager, systemd-networkd only).
    case unmanage
    /// Both manage the device; poolnet reports the claim but applies anyway.
    case allow
}

/// The `coexist:` section: per manager, how poolnet lives with it. Without an entry, a device that
/// another manager claims blocks apply.
public struct CoexistPolicy: Sendable, Equatable, Codable {
    public var modes: [ForeignManager: CoexistMode]
    /// `--allow-managed`: every claim is reported, none blocks.
    public var allowAll = false

    public init(modes: [ForeignManager: CoexistMode] = [:], allowAll: Bool = false) {
        self.modes = modes
        self.allowAll = allowAll
    }

    public func mode(for manager: ForeignManager) -> CoexistMode? { modes[manager] }

    /// `coexist: { networkmanager: unmanage, networkd: unmanage, ifupdown: allow }`
    static func parse(_ node: YNode, errors: ErrorSink) -> CoexistPolicy? {
        errors.collect { () throws -> CoexistPolicy in
            var policy = CoexistPolicy()
            let known = ForeignManager.allCases.map(\.key).joined(separator: ", ")
            for (key, value) in try node.mapping("coexist") {
                let name = try key.string("a manager name")
                guard let manager = ForeignManager(rawValue: name) else {
                    errors.add("coexist: unknown manager \"\(name)\" (known: \(known))", at: key.mark)
                    continue
                }
                let text = try value.string("coexist.\(name)")
                guard let mode = CoexistMode(rawValue: text) else {
                    errors.add("coexist.\(name) must be \(manager.supportsHandOver ? "unmanage or allow" : "allow"), found \"\(text)\"", at: value.mark)
                    continue
                }
                if mode == .unmanage && !manager.supportsHandOver {
                    errors.add("coexist.\(name): poolnet never rewrites \(manager.displayName)'s configuration; remove its stanza or PIF for the device, or write allow", at: value.mark)
                    continue
                }
                policy.modes[manager] = mode
            }
            return policy
        }
    }
}

extension DesiredState {
    /// Every device another manager could also configure: storage NICs, bond members, VLAN and
    /// VXLAN lower devices, bridge ports, and the devices poolnet creates. Sorted, no repeats.
    public var coexistDevices: [String] {
        var names = Set(nics.map(\.name)).union(createdDevices)
        for link in links.all { names.formUnion(link.lowerDevices) }
        return names.sorted()
    }
}
