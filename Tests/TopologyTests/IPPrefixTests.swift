import HostState
import XCTest

final class IPPrefixTests: XCTestCase {
    func testParsingAndSubnets() {
        XCTAssertEqual(IPPrefix("192.0.2.11/24")?.description, "192.0.2.11/24")
        XCTAssertEqual(IPPrefix("2001:DB8:0:0::1/64")?.description, "2001:db8::1/64")
        XCTAssertNil(IPPrefix("192.0.2.11"))
        XCTAssertEqual(IPPrefix("192.0.2.11", defaultPrefix: 24)?.prefixLength, 24)
        XCTAssertNil(IPPrefix("192.0.2.256/24"))
        XCTAssertNil(IPPrefix("192.0.2.1/33"))
        XCTAssertNil(IPPrefix("192.0.2.1/024"))
        XCTAssertNil(IPPrefix("10.1/8"), "only dotted quads")
        XCTAssertEqual(IPPrefix("10.10.1.77/22")?.network.description, "10.10.0.0/22")
        XCTAssertTrue(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("10.10.3.1/22")!))
        XCTAssertFalse(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("10.10.4.1/22")!))
        XCTAssertFalse(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("fd00::1/64")!))
    }

    func testInterfaceNames() {
        XCTAssertNil(InterfaceName.problem("xenbr-priv0"))
        XCTAssertNil(InterfaceName.problem("123456789012345"))
        XCTAssertNotNil(InterfaceName.problem("1234567890123456"))
        XCTAssertNotNil(InterfaceName.problem(""))
        XCTAssertNotNil(InterfaceName.problem("."))
        XCTAssertNotNil(InterfaceName.problem("a b"))
        XCTAssertNotNil(InterfaceName.problem("a\tb"))
        XCTAssertNotNil(InterfaceName.problem("a/b"))
        XCTAssertNotNil(InterfaceName.problem("eth0:1"))
    }
}
