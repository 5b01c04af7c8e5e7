import Engine
import Foundation
import Logging
import TestSupport
import Topology
import XCTest

/// Shared by the iSCSI tests: a fresh lab (target, two paths) per test, and an engine on the
/// VM's own namespace whose storage steps log, so that the VM's output shows where time goes.
class ISCSITestCase: XCTestCase, PoolFileTesting {
    var poolHost: String { "vmhost" }
    var lab: ISCSILab!
    var engine: Engine!

    override func setUpWithError() throws {
        try ISCSILab.require()
        lab = try ISCSILab()
        var logger = Logger(label: String(describing: type(of: self)), factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .info
        engine = Engine(netns: nil, logger: logger)
        engine.storageRoots.ownership = lab.state.appendingPathComponent("owned.json").path
    }

    override func tearDown() {
        lab?.close()
        lab = nil
    }

    /// The lab's two storage NICs at MTU 9000: stor0 on `stor0Subnet` (IPv4 or IPv6), stor1 on
    /// 198.51.100.0/24; the host's address in each is its index.
    static func storageNICs(stor0Subnet: String, stor0Address: String) -> String {
        """
        pool: lab
        hosts:
          vmhost: { index: 1 }
        storage_nics:
          - name: stor0
            mtu: 9000
            subnet: \(stor0Subnet)
            addresses: ["\(stor0Address)"]
          - name: stor1
            mtu: 9000
            subnet: 198.51.100.0/24
            addresses: ["198.51.100.${index}"]

        """
    }
}
