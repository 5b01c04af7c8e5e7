import Engine
import XCTest

/// The journal's file hash against the FIPS 180-4 examples (NIST's "SHA-256 example" set) and
/// the padding boundaries, where a message fills one block or spills into a second.
final class SHA256Tests: XCTestCase {
    func hash(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }

    func testEmptyMessage() {
        XCTAssertEqual(hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testOneBlockMessageABC() {
        XCTAssertEqual(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// 448 bits: the length no longer fits the first block, so padding adds a second.
    func testTwoBlockMessage() {
        XCTAssertEqual(hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testEightHundredNinetySixBitMessage() {
        XCTAssertEqual(hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testOneMillionA() {
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// 55 bytes is the longest message whose padding and length fit one block; 56 needs two; 64 is
    /// a whole block of message. Expected values from coreutils' sha256sum.
    func testPaddingBoundaries() {
        let expected = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
        ]
        for (length, digest) in expected {
            XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: length)), digest, "\(length) × \"a\"")
        }
    }
}
