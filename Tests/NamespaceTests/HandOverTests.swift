import Engine
import Foundation
import HostState
import Planner
import Storage
import TestSupport
import XCTest

/// The hand-over steps through the real engine and kernel, against a scratch tree standing in for
/// /etc and /run (no manager runs here: the drop-ins are written, never reloaded). The daemons'
/// reactions are tested in the VM tier (KernelTests/CoexistTests).
final class HandOverTests: NamespaceTestCase {
    var root = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        root = NSTemporaryDirectory() + "pn-handover-\(getpid())-\(UUID().uuidString.prefix(6))"
        // Both managers installed (their configuration directories exist), neither running.
        for dir in ["etc/NetworkManager/conf.d", "etc/systemd/network", "run", "var/lib", "proc"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        engine.foreignRoots = ForeignManagerRoots(under: root)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
        super.tearDown()
    }

    static let file = """
    pool: lab
    hosts:
      hv01: { index: 1 }
    storage_nics:
      - name: san0
        mtu: 9000
    bridges:
      - name: privbr0
    coexist: { networkmanager: unmanage, networkd: unmanage }
    """

    func contents(_ path: String) -> String? { try? String(contentsOfFile: root + path, encoding: .utf8) }

    func testDropInsAreWrittenAsStepsKeptOnReapplyAndRemovedWhenTheKeyGoes() throws {
        try ns.addNIC("san0")
        let applied = try engine.apply(try desired(Self.file))
        XCTAssertEqual(applied.changes.prefix(2).map(\.line), [
            "+ NetworkManager hand-over /etc/NetworkManager/conf.d/95-poolnet-lab.conf (new): unmanages privbr0, san0, then reload",
            "+ systemd-networkd hand-over /etc/systemd/network/05-poolnet-lab.network (new): unmanages privbr0, san0, then reload",
        ])
        XCTAssertEqual(contents("/etc/NetworkManager/conf.d/95-poolnet-lab.conf"), HandOverFiles.content(.networkManager, pool: "lab", devices: ["privbr0", "san0"]))
        XCTAssertEqual(contents("/etc/systemd/network/05-poolnet-lab.network"), HandOverFiles.content(.networkd, pool: "lab", devices: ["privbr0", "san0"]))
        XCTAssertEqual(try ns.links()["san0"]?["mtu"] as? Int, 9000, "the rest of the plan ran after the hand-over")
        XCTAssertEqual(try engine.apply(try desired(Self.file)).changes, [], "a second apply finds the drop-ins in place")

        // The rollback steps the journal keeps put the files back as they were (absent).
        let steps = applied.changes.filter { if case .handOver = $0.action { return true } else { return false } }
        let undone = try engine.undo(steps, pool: "lab")
        XCTAssertTrue(undone.isComplete && undone.unknown.isEmpty, "\(undone)")
        XCTAssertEqual(undone.undone.count, 2)
        XCTAssertNil(contents("/etc/NetworkManager/conf.d/95-poolnet-lab.conf"))
        XCTAssertNil(contents("/etc/systemd/network/05-poolnet-lab.network"))
        try engine.apply(try desired(Self.file))

        // Without the key but with a device it handed over: refused (the managers would take it back).
        let keyDropped = "pool: lab\nhosts:\n  hv01: { index: 1 }\nbridges:\n  - name: privbr0\n"
        XCTAssertThrowsError(try engine.apply(try desired(keyDropped))) { XCTAssertTrue("\($0)".contains("! privbr0: NetworkManager may manage it again"), "\($0)") }
        // Without the key and the devices it handed over, the drop-ins go, as the last steps.
        let bridgeOnly = "pool: lab\nhosts:\n  hv01: { index: 1 }\nbridges:\n  - name: privbr1\n"
        let removed = try engine.apply(try desired(bridgeOnly))
        XCTAssertEqual(removed.changes.suffix(2).map(\.action.symbol), ["-", "-"], removed.renderPlan())
        XCTAssertTrue(removed.changes.last?.line.contains("hand-over") ?? false, removed.renderPlan())
        XCTAssertNil(contents("/etc/NetworkManager/conf.d/95-poolnet-lab.conf"))
        XCTAssertNil(contents("/etc/systemd/network/05-poolnet-lab.network"))
    }

    func testAFailedApplyRemovesTheDropInItWrote() throws {
        try ns.addNIC("san0")
        // The hand-over steps run on their own first; step 0 of the rest (san0's MTU) fails.
        engine.failStep = 0
        XCTAssertThrowsError(try engine.apply(try desired(Self.file))) { error in
            XCTAssertTrue("\(error)".contains("injected failure"), "\(error)")
        }
        XCTAssertNil(contents("/etc/NetworkManager/conf.d/95-poolnet-lab.conf"), "rolled back with the rest")
        XCTAssertNil(contents("/etc/systemd/network/05-poolnet-lab.network"))
    }
}
