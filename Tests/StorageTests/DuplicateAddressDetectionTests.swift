import Foundation
@testable import Storage
import XCTest

/// Reading DAD state from /proc/net/if_inet6, on lines captured from a real kernel: va and vb are
/// a veth pair given the same address, first while DAD runs, then after vb lost.
final class DuplicateAddressDetectionTests: XCTestCase {
    static let during = """
    fe80000000000000b8117cfffe62e4ac 03 40 20 c0       va
    fe80000000000000fc0b91fffe962f0d 02 40 20 c0       vb
    20010db8000a00000000000000000001 02 40 00 c0       vb
    20010db8000a00000000000000000001 03 40 00 c0       va

    """
    static let after = """
    fe80000000000000b8117cfffe62e4ac 03 40 20 80       va
    fe80000000000000fc0b91fffe962f0d 02 40 20 80       vb
    20010db8000a00000000000000000001 02 40 00 c8       vb
    20010db8000a00000000000000000001 03 40 00 80       va

    """

    func testTentativeAndFailedAddressesPerNIC() {
        XCTAssertEqual(DuplicateAddressDetection.status(of: "va", ifInet6: Self.during).tentative,
                       ["fe80::b811:7cff:fe62:e4ac", "2001:db8:a::1"])
        XCTAssertEqual(DuplicateAddressDetection.status(of: "va", ifInet6: Self.after), .init())
        XCTAssertEqual(DuplicateAddressDetection.status(of: "vb", ifInet6: Self.after), .init(tentative: [], failed: ["2001:db8:a::1"]))
        XCTAssertEqual(DuplicateAddressDetection.status(of: "eth9", ifInet6: Self.during), .init())
        // Optimistic DAD (tentative + optimistic) leaves the address usable: no wait.
        let optimistic = "20010db8000a00000000000000000002 03 40 00 44       va\n"
        XCTAssertEqual(DuplicateAddressDetection.status(of: "va", ifInet6: optimistic), .init())
    }

    func testWaitReturnsOnceDADEndsAndFailsOnADuplicate() throws {
        let proc = FileManager.default.temporaryDirectory.appendingPathComponent("dad-\(UUID())")
        defer { try? FileManager.default.removeItem(at: proc) }
        try FileManager.default.createDirectory(at: proc.appendingPathComponent("net"), withIntermediateDirectories: true)
        let file = proc.appendingPathComponent("net/if_inet6").path
        try Self.during.write(toFile: file, atomically: true, encoding: .utf8)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { try? Self.after.write(toFile: file, atomically: true, encoding: .utf8) }
        let start = Date()
        try DuplicateAddressDetection.wait(for: "va", procRoot: proc.path, timeout: 5)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.25, "it waited for DAD to end")

        XCTAssertThrowsError(try DuplicateAddressDetection.wait(for: "vb", procRoot: proc.path, timeout: 5)) { error in
            XCTAssertEqual("\(error)", "IPv6 address 2001:db8:a::1 on vb failed duplicate address detection: another host on that network uses it")
        }
        try Self.during.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DuplicateAddressDetection.wait(for: "va", procRoot: proc.path, timeout: 0.2)) { error in
            XCTAssertTrue("\(error)".contains("on va is still tentative (duplicate address detection) after 0 s"), "\(error)")
        }
    }
}
