import Foundation
import Storage
import Topology
import XCTest

/// The multipath drop-in cannot carry configuration the file did not declare (issue 15): values
/// are refused at validation, and the writer refuses any content not of the drop-in's shape.
final class MultipathDropInTests: XCTestCase {
    let injected = "# Written by poolnet for pool t; `poolnet apply` replaces this file.\noverrides {\n\tno_path_retry 12\n}\nblacklist {\n devnode .*\n}\n"

    func testTheWriterRefusesWhatValidationWouldNotRender() throws {
        XCTAssertNil(MultipathDropIn.problem("# Written by poolnet for pool t\ndefaults {\n\tpolling_interval 5\n\tpath_selector \"service-time 0\"\n}\noverrides {\n\tno_path_retry queue\n}\n"))
        XCTAssertEqual(MultipathDropIn.problem(injected), "line 5 is not a section, a key or a closing brace: blacklist {")
        XCTAssertEqual(MultipathDropIn.problem("overrides {\n\tno_path_retry \"12\"; x\n}\n"), "line 2 has a value that is not a word: \tno_path_retry \"12\"; x")
        XCTAssertEqual(MultipathDropIn.problem("overrides {\n\tno_path_retry 12\u{1B}\n}\n"), "line 2 holds a control character")
        XCTAssertEqual(MultipathDropIn.problem("overrides {\n\tno_path_retry 12\n"), "a section is not closed")
    }

    func testNothingIsWrittenWhenRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-dropin-\(getpid())")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc/multipath/conf.d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = ISCSIBackend(roots: StorageRoots(sys: root.path + "/sys", etc: root.path + "/etc", proc: root.path + "/proc",
                                                       ownership: root.path + "/owned.json"), managedSettings: [])
        XCTAssertThrowsError(try backend.writeMultipathConfig(injected)) {
            XCTAssertTrue("\($0)".contains("refusing to write"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: backend.roots.multipathDropIn))
    }

    func testValidationRefusesTheInjectedValueAtItsPosition() throws {
        let yaml = """
        pool: t
        hosts: [h1]
        storage_nics:
          - { name: stor0, subnet: 192.0.2.0/24, addresses: ["192.0.2.${index + 10}"] }
        iscsi:
          initiator: "iqn.2026-11.org.example:${name}"
          targets: [iqn.2026-11.org.example:store1]
          paths: [{ iface: san-a, nic: stor0, portals: [192.0.2.10] }]
          multipath:
            overrides: { no_path_retry: "12\\n}\\nblacklist {\\n devnode .*", path_selector: "service-time 0" }
        """
        let errors = try Topology.parse(yaml: yaml, file: "t.yaml").validate()
        XCTAssertEqual(errors.map(\.description), [
            "t.yaml:10:33: error: host h1, iscsi: multipath overrides no_path_retry must be a whole number, \"queue\", \"fail\", found \"12\\n}\\nblacklist {\\n devnode .*\"",
        ])
        // A legitimate file renders a drop-in the writer accepts.
        let good = yaml.replacingOccurrences(of: "\"12\\n}\\nblacklist {\\n devnode .*\"", with: "12")
        let state = try Topology.parse(yaml: good, file: "t.yaml").resolve(host: "h1")
        XCTAssertEqual(state.iscsi?.multipathConfig, "# Written by poolnet for pool t; `poolnet apply` replaces this file.\noverrides {\n\tno_path_retry 12\n\tpath_selector \"service-time 0\"\n}\n")
        XCTAssertNil(MultipathDropIn.problem(state.iscsi!.multipathConfig!))
    }
}
