import Engine
import Foundation
import Logging
import Topology
import XCTest

/// Shared by the iSCSI tests: a fresh lab (target, two paths) per test, and an engine on the
/// VM's own namespace whose storage steps log, so that the VM's output shows where time goes.
class ISCSITestCase: XCTestCase {
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

    func desired(_ yaml: String) throws -> DesiredState {
        let topology = try Topology.parse(yaml: yaml, file: "iscsi.yaml")
        XCTAssertEqual(topology.validate().map(\.description), [])
        return try topology.resolve(host: "vmhost")
    }
}
