import HostState
import Topology

/// A device another manager claims, and what this plan does about it.
public struct ForeignFinding: Hashable, Codable, Sendable {
    public enum Resolution: String, Hashable, Codable, Sendable {
        /// apply refuses until the operator acts (`remedy`), writes `coexist:`, or passes --allow-managed.
        case blocks
        /// poolnet's drop-in makes the manager let go (a step of this plan, or already in place).
        case handedOver = "handed-over"
        /// Both manage it: `coexist: { M: allow }` or --allow-managed.
        case allowed
    }

    public var device: String
    public var manager: ForeignManager
    public var evidence: String
    public var remedy: String?
    public var resolution: Resolution

    public init(_ claim: ForeignClaim, resolution: Resolution) {
        device = claim.device
        manager = claim.manager
        evidence = claim.evidence
        remedy = claim.remedy
        self.resolution = resolution
    }

    /// `nm0: managed by NetworkManager (/run/NetworkManager/devices/3:2: managed=true)`
    public var line: String { "\(device): managed by \(manager.displayName) (\(evidence))" }
}

extension PlanBuilder {
    /// Conflicts with the host's other managers, and the hand-over drop-ins the file asks for.
    /// Nothing when the state carries no foreign read (`show`, the golden tests without one).
    mutating func planCoexist() -> [ForeignFinding] {
        guard let foreign = current.foreign else { return [] }
        let policy = desired.coexist
        // Every device of the file, only once a drop-in needs it (a sorted list of thousands of
        // names, ~1.6 ms a plan at 2,000 objects, for a manager that is merely present).
        var devicesFound: [String]?
        func devices() -> [String] {
            if let devicesFound { return devicesFound }
            let all = desired.coexistDevices
            devicesFound = all
            return all
        }
        var findings: [ForeignFinding] = []
        for claim in foreign.claims {
            let mode = policy.mode(for: claim.manager)
            if mode == .unmanage {
                findings.append(ForeignFinding(claim, resolution: .handedOver))
            } else if mode == .allow || policy.allowAll {
                findings.append(ForeignFinding(claim, resolution: .allowed))
            } else {
                findings.append(ForeignFinding(claim, resolution: .blocks))
                problem(claim.device, "managed by \(claim.manager.displayName) (\(claim.evidence)); apply refuses it. To resolve: \(claim.remedy ?? "take it out of \(claim.manager.displayName)'s configuration"), or pass --allow-managed")
            }
        }
        for manager in HandOverFiles.managers where foreign.present.contains(manager) {
            guard let path = HandOverFiles.path(manager, pool: desired.pool) else { continue }
            let have = foreign.dropIn(for: manager)?.content
            let haveDevices = have.map(HandOverFiles.devices) ?? []
            let want = policy.mode(for: manager) == .unmanage ? HandOverFiles.content(manager, pool: desired.pool, devices: devices()) : nil
            guard want != have else { continue }
            // Hand-over first (then the rest is planned again); hand-back last, once poolnet has
            // taken its own configuration off the devices the manager takes back.
            add(want == nil ? .handBack : .handOver, .handOver(HandOverAction(manager: manager, path: path, content: want, previous: have,
                                                    devices: want == nil ? [] : devices(), previousDevices: haveDevices)), depth: 0)
            // A device the old drop-in handed over and the file still declares goes back to the manager.
            guard want == nil, !policy.allowAll, policy.mode(for: manager) != .allow else { continue }
            for device in haveDevices where devices().contains(device) {
                problem(device, "\(manager.displayName) may manage it again once poolnet removes \(path) (the file no longer has coexist: { \(manager.key): unmanage }); keep the key, drop the device, or pass --allow-managed")
            }
        }
        return findings
    }
}
