import Foundation
import HostState
import Storage
import XCTest

/// The NPIV backend against a fixture tree shaped like /sys/class/fc_host and fc_vports, with a
/// small fake driver thread that answers writes to vport_create / vport_delete as the FC
/// transport does (a new vport-H:0-N directory, numbered from a counter; the in-use count).
final class FCBackendTests: XCTestCase {
    var root: URL!
    var backend: FCBackend!
    var driver: Thread?
    let parent = try! WWN.parse("2000001b32a9da4e").get()
    let wwpn = try! WWN.parse("2101001b32a9da01").get()
    let wwnn = try! WWN.parse("2001001b32a9da01").get()

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pn-fc-\(UUID().uuidString.prefix(8))")
        backend = FCBackend(root: root.appendingPathComponent("sys").path, ownership: root.appendingPathComponent("owned.json").path)
        backend.settleTimeout = 2
    }

    override func tearDownWithError() throws {
        driver?.cancel()
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent("sys/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) -> String? { try? String(contentsOf: root.appendingPathComponent("sys/\(path)"), encoding: .utf8) }

    /// host6: a port with NPIV (vport_create), `max` vports, `used` in use; host7: a port without.
    func makeHosts(max: Int = 255, used: Int = 0) throws {
        for (k, v) in ["port_name": "0x2000001b32a9da4e", "node_name": "0x1000001b32a9da4e", "port_state": "Online",
                       "max_npiv_vports": "\(max)", "npiv_vports_inuse": "\(used)", "vport_create": "", "vport_delete": ""] {
            try write("class/fc_host/host6/\(k)", v + (v.isEmpty ? "" : "\n"))
        }
        try write("class/fc_host/host7/port_name", "0x2000001b32a9da4f\n")
        try write("class/fc_host/host7/port_state", "Linkdown\n")
    }

    /// Watches the control files like the FC transport: creates and removes vport directories.
    func startDriver(state: String = "Linkdown") {
        let sys = root.appendingPathComponent("sys").path
        let thread = Thread {
            var counter = 0
            while !Thread.current.isCancelled {
                usleep(20_000)
                let create = (try? String(contentsOfFile: "\(sys)/class/fc_host/host6/vport_create", encoding: .utf8)) ?? ""
                let names = create.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
                if names.count == 2 {
                    let dir = "\(sys)/class/fc_vports/vport-6:0-\(counter)"
                    counter += 1
                    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    // Like the kernel: 0x%llx, no padding.
                    try? "0x\(String(UInt64(names[0], radix: 16)!, radix: 16))\n".write(toFile: "\(dir)/port_name", atomically: false, encoding: .utf8)
                    try? "0x\(String(UInt64(names[1], radix: 16)!, radix: 16))\n".write(toFile: "\(dir)/node_name", atomically: false, encoding: .utf8)
                    try? "\(state)\n".write(toFile: "\(dir)/vport_state", atomically: false, encoding: .utf8)
                    try? "\n".write(toFile: "\(dir)/symbolic_name", atomically: false, encoding: .utf8)
                    // Like the transport: the vport gets its own SCSI host, which is an fc_host too.
                    let host = "host\(20 + counter)"
                    try? FileManager.default.createDirectory(atPath: "\(dir)/device/\(host)", withIntermediateDirectories: true)
                    try? FileManager.default.createDirectory(atPath: "\(sys)/class/fc_host/\(host)", withIntermediateDirectories: true)
                    try? "0x\(names[0])\n".write(toFile: "\(sys)/class/fc_host/\(host)/port_name", atomically: false, encoding: .utf8)
                    try? "".write(toFile: "\(sys)/class/fc_host/host6/vport_create", atomically: false, encoding: .utf8)
                }
                let delete = (try? String(contentsOfFile: "\(sys)/class/fc_host/host6/vport_delete", encoding: .utf8)) ?? ""
                if let wwpn = delete.split(separator: ":").first.flatMap({ UInt64($0, radix: 16) }) {
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(sys)/class/fc_vports")) ?? [] {
                        let port = (try? String(contentsOfFile: "\(sys)/class/fc_vports/\(name)/port_name", encoding: .utf8)) ?? ""
                        if WWN(sysfs: port)?.value == wwpn { try? FileManager.default.removeItem(atPath: "\(sys)/class/fc_vports/\(name)") }
                    }
                    try? "".write(toFile: "\(sys)/class/fc_host/host6/vport_delete", atomically: false, encoding: .utf8)
                }
            }
        }
        thread.start()
        driver = thread
    }

    func testReadFindsPortsByName() throws {
        try makeHosts(used: 3)
        let state = backend.read()
        XCTAssertEqual(state.hosts.map(\.name), ["host6", "host7"])
        XCTAssertEqual(state.hosts[0].portName, parent)
        XCTAssertEqual(state.hosts[0].vportsInUse, 3)
        XCTAssertTrue(state.hosts[0].canCreateVPorts)
        XCTAssertFalse(state.hosts[1].canCreateVPorts, "no vport_create: the driver does no NPIV")
        XCTAssertEqual(state.hosts[1].portState, "Linkdown")
    }

    func testCreateFindsTheVportByPortNameThenDeleteRemovesIt() throws {
        try makeHosts()
        startDriver()
        // A vport created earlier takes number 0: the new one must be found by name, not by path.
        let state = try backend.create(parent: parent, wwpn: wwpn, wwnn: wwnn, symbolicName: "poolnet h1 fabric A")
        XCTAssertEqual(state, "Linkdown", "the kernel's word for a port without a fabric")
        let vport = try XCTUnwrap(backend.find(wwpn))
        XCTAssertEqual(vport.nodeName, wwnn)
        XCTAssertEqual(vport.parent, "host6")
        XCTAssertEqual(read("class/fc_vports/\(vport.name)/symbolic_name"), "poolnet h1 fabric A\n")
        XCTAssertEqual(OwnershipRecord.read(backend.ownership).owned(by: nil).fcVPorts, [wwpn])
        XCTAssertEqual(backend.read().hosts.map(\.name), ["host6", "host7"], "the vport's own fc_host is not a port to build on")

        try backend.delete(parent: parent, wwpn: wwpn, wwnn: wwnn)
        XCTAssertNil(backend.find(wwpn))
        XCTAssertEqual(OwnershipRecord.read(backend.ownership).owned(by: nil).fcVPorts, [])
    }

    /// Adoption of a vport made by hand (and its undo) writes the ownership record, no sysfs file.
    func testRecordVPortWritesOnlyTheRecord() throws {
        try makeHosts(used: 1)
        try write("class/fc_vports/vport-6:0-0/port_name", "0x2101001b32a9da01\n")
        try write("class/fc_vports/vport-6:0-0/node_name", "0x2001001b32a9da01\n")
        func tree() throws -> [String: String] {
            let sys = root.appendingPathComponent("sys")
            let files = FileManager.default.enumerator(atPath: sys.path)!.compactMap { $0 as? String }
            return Dictionary(uniqueKeysWithValues: files.map { ($0, read($0) ?? "(dir)") })
        }
        let before = try tree()
        try backend.recordVPort(wwpn, owned: true)
        XCTAssertEqual(OwnershipRecord.read(backend.ownership).owned(by: nil).fcVPorts, [wwpn])
        XCTAssertEqual(backend.read().ownedVPorts, [wwpn])
        try backend.recordVPort(wwpn, owned: false)
        XCTAssertEqual(OwnershipRecord.read(backend.ownership).owned(by: nil).fcVPorts, [])
        XCTAssertEqual(try tree(), before, "nothing under sys changed")
    }

    func testRefusals() throws {
        try makeHosts(max: 4, used: 4)
        XCTAssertThrowsError(try backend.create(parent: parent, wwpn: wwpn, wwnn: wwnn, symbolicName: nil)) {
            XCTAssertEqual("\($0)", "E_FC_CAPACITY: host6 (2000001b32a9da4e) has 4 of 4 vports in use (ENOSPC)")
        }
        XCTAssertEqual(read("class/fc_host/host6/vport_create"), "", "nothing written")
        XCTAssertThrowsError(try backend.create(parent: try WWN.parse("2000001b32a9da4f").get(), wwpn: wwpn, wwnn: wwnn, symbolicName: nil)) {
            XCTAssertTrue("\($0)".hasPrefix("E_FC_NO_NPIV: host7"), "\($0)")
        }
        XCTAssertThrowsError(try backend.create(parent: try WWN.parse("2000001b32a9da50").get(), wwpn: wwpn, wwnn: wwnn, symbolicName: nil)) {
            XCTAssertEqual("\($0)", "E_FC_PARENT: no fc_host has port_name 2000001b32a9da50")
        }
        XCTAssertEqual(OwnershipRecord.read(backend.ownership).owned(by: nil).fcVPorts, [], "nothing recorded")
    }

    func testAVportThatNeverAppearsIsAnError() throws {
        try makeHosts()  // no driver answers
        backend.settleTimeout = 0.3
        XCTAssertThrowsError(try backend.create(parent: parent, wwpn: wwpn, wwnn: wwnn, symbolicName: nil)) {
            XCTAssertEqual("\($0)", "vport 2101001b32a9da01 did not appear under host6 within 0s")
        }
    }
}
