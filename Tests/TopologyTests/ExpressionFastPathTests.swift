import HostState
@testable import Topology
import XCTest

/// `${index ± k}` skips the tokenizer: it must give what the parser gives, and leave to the parser
/// everything else (so that the errors stay the parser's).
final class ExpressionFastPathTests: XCTestCase {
    func parsed(_ expression: String, index: Int) -> Int? {
        try? HostExpression.parse(expression, source: expression, in: HostContext(name: "hv01", index: index))
    }

    func testTheFastPathAgreesWithTheParser() {
        var generator = SystemRandomNumberGenerator()
        let indexes = [0, 1, 7, 999, -3, Int.max, Int.min, Int.max - 5, Int.min + 5]
        let spaces = ["", " ", "  "]
        var taken = 0
        for _ in 0..<5000 {
            let index = Bool.random(using: &generator) ? indexes.randomElement()! : Int.random(in: -100_000...100_000)
            let k = [String(Int.random(in: 0...300)), "007", "0", String(Int.max), "999999999999999999", String(UInt64.max)].randomElement()!
            let sign = ["+", "-"].randomElement()!
            let expression = "index" + spaces.randomElement()! + sign + spaces.randomElement()! + k
            let fast = HostExpression.indexOffset(expression, index: index)
            let parser = parsed(expression, index: index)
            if let fast {
                taken += 1
                XCTAssertEqual(fast, parser, "\(expression) at index \(index)")
            } else {
                // Declined exactly when the parser fails (an overflow) or the number is too long for the fast path.
                XCTAssertTrue(k.count > 18 || parser == nil, "\(expression) at index \(index) was declined")
            }
        }
        // A count, not a share: which of the random draws overflow varies from run to run.
        XCTAssertGreaterThan(taken, 0, "the fast path takes the common expressions")
        for expression in ["index+1", "index + 10", "index - 1", "index-300", "index + 007", "index + 999999999999999999"] {
            XCTAssertNotNil(HostExpression.indexOffset(expression, index: 7), expression)
        }
        XCTAssertEqual(HostExpression.indexOffset("index", index: 42), 42)
    }

    /// Spaces trimmed by byte from ASCII text, by Character otherwise: the same as by Character.
    func testTrimmingSpacesByByteIsTrimmingByCharacter() {
        func byCharacter(_ text: String) -> String {
            var s = Substring(text)
            while s.first == " " { s.removeFirst() }
            while s.last == " " { s.removeLast() }
            return String(s)
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = [" ", " ", "a", ":", "1", "+", "\u{301}", "é", "\t"]
        var texts = ["", " ", "  ", " a ", "a", " \u{301}", "\u{301} ", " a \u{301}", "index : 03d"]
        for _ in 0..<5000 { texts.append((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()) }
        for text in texts { XCTAssertEqual(text.trimmingSpaces, byCharacter(text), text.debugDescription) }
    }

    func testEverythingElseGoesToTheParser() {
        for expression in ["indexes", "index2", "index.x", "index +", "index + ", "index + -1", "index\t+ 1", "index + 1 + 1",
                           "index * 2", "1 + index", "index + (1)", "index + ٣", "index + 1x", "index ++ 1", "index + 1 "] {
            XCTAssertNil(HostExpression.indexOffset(expression, index: 3), expression)
        }
    }

    /// Through expand: the same strings and the same errors as before the fast path.
    func testExpandResultsAndErrorsAreTheParsers() {
        let host = HostContext(name: "hv03", index: 3)
        XCTAssertEqual(try HostExpression.expand("192.0.2.${index + 10}/${index-1:02x}-${ index }", in: host), "192.0.2.13/02-3")
        XCTAssertThrowsError(try HostExpression.expand("${index + 1}", in: HostContext(name: "hv", index: Int.max))) {
            XCTAssertEqual(($0 as! HostExpression.Failure).message, "\"index + 1\" overflows a 64-bit integer (9223372036854775807 + 1)")
        }
        XCTAssertThrowsError(try HostExpression.expand("${index + 99999999999999999999}", in: host)) {
            XCTAssertEqual(($0 as! HostExpression.Failure).message,
                           "number 99999999999999999999 in \"index + 99999999999999999999\" is larger than a 64-bit integer")
        }
        XCTAssertThrowsError(try HostExpression.expand("${index + 1:q}", in: host))
    }
}
