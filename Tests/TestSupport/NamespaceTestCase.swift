import Engine
import Foundation
import Logging
import HostState
import Planner
import Topology
import XCTest

/// Base for tests on the host's real kernel: each test gets its own namespace with veth "NICs".
open class NamespaceTestCase: XCTestCase, PoolFileTesting {
    public var poolHost: String { "hv01" }
    public var ns: TestNamespace!
    public var engine: Engine!

    override open func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace(String(name.split(separator: " ").last?.prefix(12) ?? "t"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical  // failures are asserted, not printed
        engine = Engine(isolatedIn: ns.name, logger: logger)
    }

    override open func tearDown() {
        if let path = engine?.storageRoots.ownership { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        ns = nil
        engine = nil
    }

    /// The live state in the model's terms, for comparing before and after.
    public func snapshot() throws -> CurrentState { try engine.read().normalized() }

    public static let pool = """
    pool: lab
    hosts:
      hv01: { index: 1 }
      hv02: { index: 2 }
    storage_nics:
      - name: san0
        mtu: 9000
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 10}"]
      - name: san1
        mtu: 9000
        subnet: 198.51.100.0/24
        addresses: ["198.51.100.${index + 10}"]
    bridges:
      - name: privbr0
        mtu: 9000
        stp: false
        ports: [guest0]
        addresses: { per_host: { hv01: [203.0.113.1/28], hv02: [203.0.113.17/28] } }
    """

    public func addDemoNICs() throws {
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
    }
}

extension Engine {
    /// An engine for a test namespace whose ownership record lives in a directory of its own (the
    /// record is per pool, and every test's pool is called `lab`).
    public init(isolatedIn netns: String, logger: Logger) {
        self.init(netns: netns, logger: logger)
        let dir = NSTemporaryDirectory() + "poolnet-state-\(netns)-\(UUID().uuidString.prefix(8))"
        storageRoots.ownership = dir + "/owned.json"
    }
}
