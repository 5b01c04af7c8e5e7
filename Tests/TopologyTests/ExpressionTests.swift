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

/// Extreme values must be errors naming the problem, never a trap (issue 15: SIGILL on overflow,
/// SIGSEGV on deep nesting).
final class ExpressionBoundsTests: XCTestCase {
    func message(_ text: String, index: Int = 3, vars: [String: String] = [:]) -> String? {
        do {
            _ = try HostExpression.expand(text, in: HostContext(name: "hv01", index: index, vars: vars))
            return nil
        } catch { return error.message }
    }

    func testOverflowIsAnError() {
        XCTAssertEqual(message("${index * 9223372036854775807 * 2}"),
                       "\"index * 9223372036854775807 * 2\" overflows a 64-bit integer (3 * 9223372036854775807)")
        XCTAssertEqual(message("${index + 1}", index: Int.max), "\"index + 1\" overflows a 64-bit integer (9223372036854775807 + 1)")
        XCTAssertEqual(message("${n + 1}", vars: ["n": "9223372036854775807"]), "\"n + 1\" overflows a 64-bit integer (9223372036854775807 + 1)")
        XCTAssertEqual(message("${0 - 9223372036854775807 - 2}"), "\"0 - 9223372036854775807 - 2\" overflows a 64-bit integer (-9223372036854775807 - 2)")
        XCTAssertEqual(message("${-n}", vars: ["n": "-9223372036854775808"]), "\"-n\" overflows a 64-bit integer (-(-9223372036854775808))")
        XCTAssertEqual(message("${99999999999999999999}"), "number 99999999999999999999 in \"99999999999999999999\" is larger than a 64-bit integer")
    }

    func testDivisionAndModuloEdges() {
        XCTAssertEqual(message("${index / 0}"), "\"index / 0\" divides by zero")
        XCTAssertEqual(message("${index % 0}"), "\"index % 0\" divides by zero")
        XCTAssertEqual(message("${n / -1}", vars: ["n": "-9223372036854775808"]),
                       "\"n / -1\" overflows a 64-bit integer (-9223372036854775808 / -1)")
        XCTAssertEqual(message("${n % -1}", vars: ["n": "-9223372036854775808"]),
                       "\"n % -1\" overflows a 64-bit integer (-9223372036854775808 % -1)")
        XCTAssertEqual(message("${(0 - 9223372036854775807 - 1) / -1}"),
                       "\"(0 - 9223372036854775807 - 1) / -1\" overflows a 64-bit integer (-9223372036854775808 / -1)")
        XCTAssertNil(message("${index % -1}"))
        XCTAssertNil(message("${-7 / 2}"))
    }

    func testDeepNestingIsAnErrorNotACrash() {
        // The issue's inputs are refused by their length before any parsing…
        let parens = "${" + String(repeating: "(", count: 50_000) + "index" + String(repeating: ")", count: 50_000) + "}"
        XCTAssertEqual(message(parens), "the expression is 100005 characters long; at most \(HostExpression.maxLength) are allowed")
        let minus = "${" + String(repeating: "-", count: 100_000) + "index}"
        XCTAssertEqual(message(minus), "the expression is 100005 characters long; at most \(HostExpression.maxLength) are allowed")
        // …and shorter deep ones by the depth limit.
        XCTAssertEqual(message("${" + String(repeating: "(", count: 400) + "index" + String(repeating: ")", count: 400) + "}"),
                       "the expression nests deeper than \(HostExpression.maxDepth) levels")
        XCTAssertEqual(message("${" + String(repeating: "-", count: 900) + "index}"),
                       "the expression nests deeper than \(HostExpression.maxDepth) levels")
        // Within the limit both still work.
        XCTAssertNil(message("${" + String(repeating: "(", count: 30) + "index" + String(repeating: ")", count: 30) + "}"))
        XCTAssertNil(message("${" + String(repeating: "-", count: 30) + "index}"))
    }

    func testLongExpressionIsRefusedBeforeTokenizing() {
        let long = "${" + Array(repeating: "1", count: 3000).joined(separator: "+") + "}"
        XCTAssertEqual(message(long), "the expression is 5999 characters long; at most \(HostExpression.maxLength) are allowed")
    }
}
