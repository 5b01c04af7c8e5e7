import HostState
import Topology
import XCTest

/// WWN forms and the NAA rules of storage-domain.md §4, as a table.
final class WWNTests: XCTestCase {
    func testForms() {
        for text in ["0x2101001b32a9da4e", "21:01:00:1B:32:A9:DA:4E", "2101001b32a9da4e", "0X2101001B32A9DA4E"] {
            XCTAssertEqual(try WWN.parse(text).get().hex, "2101001b32a9da4e", text)
        }
        XCTAssertEqual(WWN(sysfs: "0x2101001b32a9da4e\n")?.hex, "2101001b32a9da4e")
        XCTAssertEqual(WWN(sysfs: "0x1000000000001")?.hex, "0001000000000001", "sysfs prints 0x%llx without padding")
        XCTAssertEqual(WWN.parse("0x2101001b32a9da4"), .failure(.format("needs 16 hex digits (got 15)")))
        XCTAssertEqual(WWN.parse("21:01:00:1b:32:a9:da"), .failure(.format("colon form needs 8 pairs of hex digits")))
        XCTAssertEqual(WWN.parse("2101001b32a9da4g"), .failure(.format("has characters that are not hex digits")))
        if case .failure(.naa) = WWN.parse(String(repeating: "6", count: 32)) {} else { XCTFail("32 digits is NAA 6, rejected") }
    }

    func pool(_ wwpn: String, wwnn: String = "2001001b32a9da4e") -> String {
        """
        pool: t
        hosts: [h1]
        fc:
          vports:
            - name: fab-a
              parent: "0x2100001b32a9da4e"
              wwpn: "\(wwpn)"
              wwnn: "\(wwnn)"
        """
    }

    func check(_ yaml: String) throws -> (errors: [String], warnings: [String]) {
        let topology = try Topology.parse(yaml: yaml, file: "fc.yaml")
        let (errors, states) = topology.validateResolving()
        return (errors.map(\.message), states.values.flatMap(\.warnings).map(\.message))
    }

    func testNAARules() throws {
        let table: [(String, String?, String?)] = [
            ("1000001b32a9da4e", nil, nil),                     // NAA 1: IEEE 48-bit
            ("2101001b32a9da4e", nil, nil),                     // NAA 2: IEEE extended
            ("500a098193b1d5a0", nil, nil),                     // NAA 5: registered
            ("3000001b32a9da4e", nil, "locally assigned"),      // NAA 3: warn
            ("c05076ffe4000001", nil, "mapped EUI-64"),         // NAA C: warn
            ("0000001b32a9da4e", "NAA 0 is not valid", nil),
            ("4000001b32a9da4e", "NAA 4 is not valid", nil),
            ("6000001b32a9da4e", "NAA 6 is a 128-bit name", nil),
            ("6" + String(repeating: "0", count: 31), "128-bit name (NAA 6)", nil),
        ]
        for (wwpn, error, warning) in table {
            let result = try check(pool(wwpn))
            if let error { XCTAssertTrue(result.errors.contains { $0.contains(error) }, "\(wwpn): \(result)") } else { XCTAssertEqual(result.errors, [], wwpn) }
            if let warning { XCTAssertTrue(result.warnings.contains { $0.contains(warning) }, "\(wwpn): \(result)") } else { XCTAssertEqual(result.warnings, [], wwpn) }
        }
    }

    func testSameNamesAndPoolWideUniqueness() throws {
        XCTAssertEqual(try check(pool("2101001b32a9da4e", wwnn: "21:01:00:1b:32:a9:da:4e")).errors,
                       ["wwpn and wwnn are both 2101001b32a9da4e: distinct entities need distinct names"])
        XCTAssertEqual(try check(pool("2100001b32a9da4e")).errors, ["wwpn 2100001b32a9da4e is the parent port's own name"])
        let twoHosts = """
        pool: t
        hosts: [h1, h2]
        fc:
          vports:
            - name: fab-a
              parent: "2100001b32a9da4e"
              wwpn: "2101001b32a9da01"
              wwnn: "2001001b32a9da${index:02x}"
        """
        XCTAssertEqual(try check(twoHosts).errors, ["wwpn 2101001b32a9da01 is also vport fab-a wwpn on host h1"])
        let parentIsVport = """
        pool: t
        hosts: [h1, h2]
        fc:
          vports:
            - name: fab-a
              parent: { per_host: { h1: "2100001b32a9da4e", h2: "2101001b32a9da01" } }
              wwpn: "2101001b32a9da${index:02x}"
              wwnn: "2001001b32a9da${index:02x}"
        """
        XCTAssertEqual(try check(parentIsVport).errors, ["parent 2101001b32a9da01 is vport fab-a wwpn on host h1, not a physical port"])
    }
}
