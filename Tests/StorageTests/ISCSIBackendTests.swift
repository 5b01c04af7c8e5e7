import Foundation
import HostState
import Storage
import XCTest

/// The backend against a fixture tree shaped like the real sysfs, /etc and /proc (as seen in the VM
/// tier), with iscsiadm and multipathd replayed: what it reads, and the exact argv of every step.
final class ISCSIBackendTests: XCTestCase {
    var root: URL!
    var runner: ReplayRunner!
    var backend: ISCSIBackend!
    let target = "iqn.2026-11.org.example:store1"
    let wwid = "360000000000000000e00000000010001"

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pn-storage-\(UUID().uuidString.prefix(8))")
        runner = ReplayRunner()
        let roots = StorageRoots(sys: "\(root.path)/sys", etc: "\(root.path)/etc", proc: "\(root.path)/proc", ownership: "\(root.path)/state/owned.json")
        backend = ISCSIBackend(runner: runner, roots: roots, managedSettings: ["node.startup", "node.session.timeo.replacement_timeout"])
        backend.settleTimeout = 0.5
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(path), withIntermediateDirectories: true)
    }

    /// session1 on scsi host 6 through san-a, with LUN 1 as sda held by the multipath map dm-0.
    func makeSession(upperHolder: String? = nil) throws {
        let device = "sys/devices/platform/host6/session1"
        let cls = "\(device)/iscsi_session/session1"
        for (k, v) in ["targetname": target, "ifacename": "san-a", "state": "LOGGED_IN", "recovery_tmo": "120",
                       "initiatorname": "iqn.2026-11.org.example.lab:vmhost", "target_state": "SCANNED"] {
            try write("\(cls)/\(k)", v + "\n")
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("\(cls)/device").path,
                                                   withDestinationPath: root.appendingPathComponent(device).path)
        try mkdir("sys/class/iscsi_session")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("sys/class/iscsi_session/session1").path,
                                                   withDestinationPath: root.appendingPathComponent(cls).path)
        for (k, v) in ["persistent_address": "192.0.2.10", "persistent_port": "3260", "address": "192.0.2.10", "port": "3260", "state": "up"] {
            try write("sys/class/iscsi_connection/connection1:0/\(k)", v + "\n")
        }
        try write("\(device)/target6:0:0/6:0:0:0/type", "12\n")
        try write("\(device)/target6:0:0/6:0:0:1/type", "0\n")
        try mkdir("\(device)/target6:0:0/6:0:0:1/block/sda")
        try mkdir("sys/block/sda/holders/dm-0")
        try mkdir("sys/block/dm-0/holders")
        if let upperHolder { try mkdir("sys/block/dm-0/holders/\(upperHolder)") }
    }

    func answerReads() throws {
        runner.answer(["iscsiadm", "-m", "iface"], CommandResult(status: 0, stdout: try Fixture.text("iscsiadm-iface.txt")))
        runner.answer(["iscsiadm", "-m", "node", "-o", "show"], CommandResult(status: 0, stdout: try Fixture.text("iscsiadm-node-show.txt")))
        runner.answer(["multipathd", "show", "paths"], CommandResult(status: 0, stdout: try Fixture.text("multipathd-paths.txt")))
        runner.answer(["multipathd", "show", "maps"], CommandResult(status: 0, stdout: try Fixture.text("multipathd-maps.txt")))
        try write("proc/net/unix", try Fixture.text("proc-net-unix.txt"))
        try write("etc/iscsi/initiatorname.iscsi", "## comment\nInitiatorName=iqn.1993-08.org.debian:01:ddadb291cfc5\n")
    }

    func testReadsStateFromSysfsAndTheTools() throws {
        try makeSession()
        try answerReads()
        let state = try backend.read()
        XCTAssertEqual(state.initiatorName, "iqn.1993-08.org.debian:01:ddadb291cfc5")
        XCTAssertEqual(state.ifaces.map(\.name), ["san-a", "san-b"])
        XCTAssertEqual(state.nodes.count, 2)
        XCTAssertTrue(state.iscsidRunning)
        XCTAssertEqual(state.multipathMaps?.first?.activePaths, 2)
        XCTAssertNil(state.multipathConfig)
        let session = try XCTUnwrap(state.sessions.first)
        XCTAssertEqual(session.key, ISCSINodeKey(iface: "san-a", portal: ISCSIPortal(address: "192.0.2.10"), target: target))
        XCTAssertEqual(session.scsiHost, 6)
        XCTAssertEqual(session.recoveryTimeout, 120)
        XCTAssertEqual(session.disks, [SCSIDisk(device: "sda", hctl: "6:0:0:1", holders: ["dm-0"], upperHolders: [])])
        XCTAssertFalse(session.disks[0].inUse, "held only by its multipath map")
        XCTAssertEqual(runner.calls, [
            ["iscsiadm", "-m", "iface"], ["iscsiadm", "-m", "node", "-o", "show"],
            ["multipathd", "show", "paths", "raw", "format", MultipathOutput.pathFormat],
            ["multipathd", "show", "maps", "raw", "format", MultipathOutput.mapFormat],
            ["multipathd", "show", "config"],
        ])
    }

    func testALUNHeldAboveItsMapIsInUse() throws {
        try makeSession(upperHolder: "dm-1")
        try answerReads()
        XCTAssertTrue(try backend.read().sessions[0].disks[0].inUse)
    }

    func testNoRecordsAndNoMultipathd() throws {
        runner.answer(["iscsiadm", "-m", "iface"], CommandResult(status: 0, stdout: "default tcp,<empty>,<empty>,<empty>,<empty>\n"))
        runner.answer(["iscsiadm", "-m", "node"], CommandResult(status: 21, stderr: "iscsiadm: No records found\n"))
        try write("proc/net/unix", "Num RefCount\n")
        let state = try backend.read()
        XCTAssertEqual(state.nodes, [])
        XCTAssertFalse(state.iscsidRunning)
        XCTAssertNil(state.multipathPaths, "multipathd is not asked when its socket is absent")
        XCTAssertFalse(runner.calls.contains { $0.first == "multipathd" })
    }

    func testIfaceStepsAndOwnership() throws {
        let iface = ISCSIIface(name: "san-a", netIfaceName: "stor0", initiatorName: "iqn.2026-11.org.example.lab:vmhost")
        try backend.createIface(iface)
        XCTAssertEqual(runner.calls, [
            ["iscsiadm", "-m", "iface", "-I", "san-a", "-o", "new"],
            ["iscsiadm", "-m", "iface", "-I", "san-a", "-o", "update", "-n", "iface.net_ifacename", "-v", "stor0"],
            ["iscsiadm", "-m", "iface", "-I", "san-a", "-o", "update", "-n", "iface.initiatorname", "-v", "iqn.2026-11.org.example.lab:vmhost"],
        ])
        XCTAssertEqual(OwnershipRecord.read(backend.roots.ownership).owned(by: nil).iscsiIfaces, ["san-a"])
        try backend.deleteIface(iface)
        XCTAssertEqual(runner.calls.last, ["iscsiadm", "-m", "iface", "-I", "san-a", "-o", "delete"])
        XCTAssertEqual(OwnershipRecord.read(backend.roots.ownership).owned(by: nil).iscsiIfaces, [])
    }

    /// Adoption (and its undo) writes the ownership record and runs no iscsiadm.
    func testRecordIfaceWritesOnlyTheRecord() throws {
        try backend.recordIface("handmade", owned: true)
        XCTAssertEqual(OwnershipRecord.read(backend.roots.ownership).owned(by: nil).iscsiIfaces, ["handmade"])
        try backend.recordIface("handmade", owned: false)
        XCTAssertEqual(OwnershipRecord.read(backend.roots.ownership).owned(by: nil).iscsiIfaces, [])
        XCTAssertEqual(runner.calls, [])
    }

    func testNodeLoginAndLogoutSteps() throws {
        let key = ISCSINodeKey(iface: "san-b", portal: ISCSIPortal(address: "198.51.100.10"), target: target)
        try backend.createNode(ISCSINodeRecord(key: key, settings: ["node.startup": "automatic", "node.session.timeo.replacement_timeout": "5"]))
        let node = ["iscsiadm", "-m", "node", "-T", target, "-p", "198.51.100.10:3260", "-I", "san-b"]
        XCTAssertEqual(runner.calls, [
            ["iscsiadm", "-m", "node", "-o", "new", "-T", target, "-p", "198.51.100.10:3260", "-I", "san-b"],
            node + ["-o", "update", "-n", "node.session.timeo.replacement_timeout", "-v", "5"],
            node + ["-o", "update", "-n", "node.startup", "-v", "automatic"],
        ])
        // Exit 15 on login: the session exists, which is what was asked.
        runner.answer(node + ["-l"], CommandResult(status: 15, stderr: try Fixture.text("iscsiadm-login-exists.txt")))
        XCTAssertNoThrow(try backend.login(key))
        // Exit 21 on logout: already gone.
        runner.answer(node + ["-u"], CommandResult(status: 21, stderr: "iscsiadm: No matching sessions found\n"))
        XCTAssertNoThrow(try backend.logout(key))
        // Exit 15 on delete: a session still uses the record; that is an error.
        runner.answer(node + ["-o", "delete"], CommandResult(status: 15, stderr: "iscsiadm: Could not execute operation on all records: session exists\n"))
        XCTAssertThrowsError(try backend.deleteNode(key)) { XCTAssertTrue("\($0)".contains("session exists (exit 15)"), "\($0)") }
    }

    func testMultipathSteps() throws {
        try write("proc/net/unix", try Fixture.text("proc-net-unix.txt"))
        try backend.writeMultipathConfig("defaults {\n\tpolling_interval 2\n}\n")
        XCTAssertEqual(try String(contentsOfFile: backend.roots.multipathDropIn, encoding: .utf8), "defaults {\n\tpolling_interval 2\n}\n")
        try backend.addMultipathMap(wwid: wwid, device: "sda")
        try backend.writeMultipathConfig(nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: backend.roots.multipathDropIn))
        XCTAssertEqual(runner.calls, [["multipathd", "reconfigure"], ["multipath", "-a", "/dev/sda"], ["multipathd", "add", "map", wwid],
                                      ["multipathd", "reconfigure"]])
    }

    func testInitiatorNameAndLiveTimeout() throws {
        try makeSession()
        try backend.writeInitiatorName("iqn.2026-11.org.example.lab:vmhost")
        XCTAssertTrue(try String(contentsOfFile: backend.roots.initiatorFile, encoding: .utf8).hasSuffix("\nInitiatorName=iqn.2026-11.org.example.lab:vmhost\n"))
        try backend.setRecoveryTimeout(ISCSINodeKey(iface: "san-a", portal: ISCSIPortal(address: "192.0.2.10"), target: target), seconds: 5)
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("sys/devices/platform/host6/session1/iscsi_session/session1/recovery_tmo"), encoding: .utf8), "5\n")
        XCTAssertEqual(runner.calls, [], "neither step runs a command")
    }
}

/// The real runner on real programs: output, exit status, a time limit.
final class ProcessRunnerTests: XCTestCase {
    func testOutputStatusAndTimeout() {
        let runner = ProcessRunner()
        let result = runner.run(["sh", "-c", "echo out; echo err >&2; echo $LC_ALL; exit 3"], timeout: 10)
        XCTAssertEqual(result, CommandResult(status: 3, stdout: "out\nC\n", stderr: "err\n"))
        let start = Date()
        let slow = runner.run(["sleep", "5"], timeout: 0.3)
        XCTAssertEqual(slow.status, 128 + 9)
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        XCTAssertEqual(runner.run(["no-such-program-here"]).status, 127)
        let big = runner.run(["sh", "-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"], timeout: 10)
        XCTAssertEqual([big.stdout.utf8.count, big.stderr.utf8.count], [300000, 200000], "both pipes drained")
    }
}
