import Foundation
import XCTest

/// Kernel features some tests need. On a kernel without one the test is skipped with the reason;
/// inside the VM tier (POOLNET_VM=1), where the Debian kernel has them all, a missing feature fails.
public enum KernelFeature: String, CaseIterable, Sendable {
    case vlan = "802.1Q VLAN"
    case bonding = "bonding"
    case vlanFiltering = "bridge vlan_filtering"

    public static var inVM: Bool { ProcessInfo.processInfo.environment["POOLNET_VM"] == "1" }

    nonisolated(unsafe) private static var cache: [KernelFeature: Bool] = [:]

    /// Tries the feature for real in a scratch namespace, once per process.
    public var available: Bool {
        if let known = Self.cache[self] { return known }
        var ok = false
        if let ns = try? TestNamespace("probe") {
            switch self {
            case .vlan:
                ok = (try? ns.addNIC("pr0")) != nil && (try? ns.ip("link", "add", "link", "pr0", "name", "pr0.5", "type", "vlan", "id", "5")) != nil
            case .bonding:
                ok = (try? ns.ip("link", "add", "pb0", "type", "bond")) != nil
            case .vlanFiltering:
                ok = (try? ns.ip("link", "add", "pbr0", "type", "bridge", "vlan_filtering", "1")) != nil
            }
        }
        Self.cache[self] = ok
        return ok
    }

    /// Skips (host kernel) or fails (VM tier) when a feature is missing.
    public static func require(_ features: KernelFeature...) throws {
        let missing = features.filter { !$0.available }
        guard !missing.isEmpty else { return }
        let names = missing.map(\.rawValue).joined(separator: ", ")
        if inVM {
            XCTFail("the VM kernel lacks \(names): a skip in the VM tier is a failure")
            throw XCTSkip("failed: \(names) missing in the VM")
        }
        throw XCTSkip("this kernel has no \(names); the test runs in the VM tier (scripts/vm-test)")
    }
}
