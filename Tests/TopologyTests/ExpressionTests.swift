import HostState
@testable import Topology
import XCTest

final class ExpressionTests: XCTestCase {
    let host = HostContext(name: "hv03", index: 3, vars: ["nic": "ens2f0", "base": "40"])

    func expand(_ s: String) throws -> String { try HostExpression.expand(s, in: host) }

    func testArithmeticFormatsAndVars() throws {
        XCTAssertEqual(try expand("10.0.0.${index + 10}"), "10.0.0.13")
        XCTAssertEqual(try expand("${index * 2 + 1}"), "7")
        XCTAssertEqual(try expand("${(index + 1) * 2}"), "8")
        XCTAssertEqual(try expand("${base + index}"), "43")
        XCTAssertEqual(try expand("${vars.base - index}"), "37")
        XCTAssertEqual(try expand("hv${index:02d}"), "hv03")
        XCTAssertEqual(try expand("2101001b32a9da${index + 12:02x}"), "2101001b32a9da0f")
        XCTAssertEqual(try expand("${nic}.20"), "ens2f0.20")
        XCTAssertEqual(try expand("${name}-san"), "hv03-san")
        XCTAssertEqual(try expand("plain"), "plain")
    }

    func testErrors() {
        XCTAssertThrowsError(try expand("${index")) { XCTAssertEqual(($0 as! HostExpression.Failure).message, "unterminated \"${\" in \"${index\"") }
        XCTAssertThrowsError(try expand("${nope}"))
        XCTAssertThrowsError(try expand("${nic + 1}")) { XCTAssertEqual(($0 as! HostExpression.Failure).message, "variable \"nic\" is \"ens2f0\", not a number") }
        XCTAssertThrowsError(try expand("${index / 0}"))
        XCTAssertThrowsError(try expand("${index:q}"))
        XCTAssertThrowsError(try expand("${index +}"))
    }
}
