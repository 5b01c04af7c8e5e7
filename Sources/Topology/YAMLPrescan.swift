/// A lexical pass over the file before Yams composes it. It counts nodes and aliases against
/// `InputLimits`, and refuses mapping keys that are aliases, lists or mappings: the composer
/// hashes every key to find duplicates, and hashing an alias walks everything it names, so an
/// alias bomb used as a key would never return. poolnet's keys are plain names anyway.
///
/// It is a scanner, not a parser: it follows quotes, comments, block scalars and flow brackets
/// closely enough to find node starts, and leaves every syntax error to Yams.
struct YAMLPrescan {
    private var nodes = 0
    private var aliases = 0
    private var errors: [TopologyError] = []

    private let bytes: UnsafeBufferPointer<UInt8>
    private let file: String
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private var indent = 0
    private var flow = 0
    private var atNodeStart = true

    static func scan(_ text: String, file: String) -> (nodes: Int, aliases: Int, errors: [TopologyError]) {
        var text = text
        return text.withUTF8 { bytes in
            var scan = YAMLPrescan(bytes: bytes, file: file)
            scan.run()
            return (scan.nodes, scan.aliases, scan.errors)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes
        self.file = file
    }


    private func byte(_ at: Int) -> UInt8? { at >= 0 && at < bytes.count ? bytes[at] : nil }
    private func isBlank(_ b: UInt8?) -> Bool { b == nil || b == Byte.space || b == Byte.tab || b == Byte.newline || b == Byte.cr }
    private func isFlowIndicator(_ b: UInt8?) -> Bool {
        b == Byte.comma || b == Byte.openBracket || b == Byte.closeBracket || b == Byte.openBrace || b == Byte.closeBrace
    }
    /// `:` that separates a key from its value (in flow context also before `,]}` and after a quote).
    private func isValueIndicator(_ at: Int) -> Bool {
        guard byte(at) == Byte.colon else { return false }
        return isBlank(byte(at + 1)) || (flow > 0 && isFlowIndicator(byte(at + 1)))
    }
    private var mark: SourceMark { SourceMark(file: file, line: line, column: i - lineStart + 1) }

    private mutating func fail(_ message: String, at mark: SourceMark) {
        if errors.count < InputLimits.shownErrors { errors.append(TopologyError(message, at: mark)) }
    }

    private mutating func startLine() {
        line += 1
        lineStart = i
        indent = 0
        while byte(i) == Byte.space { i += 1; indent += 1 }
        if flow == 0 { atNodeStart = true }
    }

    private mutating func run() {
        while byte(i) == Byte.space { i += 1; indent += 1 }
        while let c = byte(i) {
            if c == Byte.newline { i += 1; startLine(); continue }
            if c == Byte.space || c == Byte.tab || c == Byte.cr { i += 1; continue }
            if c == Byte.hash, i == lineStart || isBlank(byte(i - 1)) { skipToEndOfLine(); continue }
            if i == lineStart, flow == 0, documentMarker() { skipToEndOfLine(); continue }
            if atNodeStart { nodeStart(c) } else { afterNode(c) }
        }
    }

    private func documentMarker() -> Bool {
        let three = bytes[i..<min(i + 3, bytes.count)]
        return ((three.elementsEqual("---".utf8) || three.elementsEqual("...".utf8)) && isBlank(byte(i + 3))) || bytes[i] == Byte.percent
    }

    private mutating func skipToEndOfLine() {
        while let c = byte(i), c != Byte.newline { i += 1 }
    }

    private mutating func nodeStart(_ c: UInt8) {
        switch c {
        case Byte.dash where isBlank(byte(i + 1)):
            i += 1
        case Byte.question where isBlank(byte(i + 1)) || (flow > 0 && isFlowIndicator(byte(i + 1))):
            fail("explicit keys (\"? \") are not used in a pool file; write key: value", at: mark)
            i += 1
        case Byte.colon where isValueIndicator(i):
            i += 1
        case Byte.openBracket, Byte.openBrace:
            nodes += 1
            flow += 1
            i += 1
        case Byte.closeBracket, Byte.closeBrace, Byte.comma:
            afterNode(c)
        case Byte.star:
            let at = mark
            i += 1
            let name = anchorName()
            aliases += 1
            atNodeStart = false
            if isKeyAhead() { fail("the alias *\(name) is a mapping key; keys in a pool file are plain names", at: at) }
        case Byte.ampersand:
            i += 1
            _ = anchorName()
        case Byte.bang:
            while !isBlank(byte(i)) { i += 1 }
        case Byte.doubleQuote, Byte.singleQuote:
            nodes += 1
            quoted(c)
            atNodeStart = false
        case Byte.pipe where flow == 0, Byte.greater where flow == 0:
            nodes += 1
            blockScalar()
        default:
            nodes += 1
            plain()
            atNodeStart = false
        }
    }

    /// After a complete node: a value indicator, a flow separator or closer, or junk for Yams to report.
    private mutating func afterNode(_ c: UInt8) {
        if c == Byte.colon, flow > 0 || isValueIndicator(i) {
            i += 1
            atNodeStart = true
        } else if c == Byte.comma, flow > 0 {
            i += 1
            atNodeStart = true
        } else if c == Byte.closeBracket || c == Byte.closeBrace, flow > 0 {
            let at = mark
            flow -= 1
            i += 1
            atNodeStart = false
            if isKeyAhead() { fail("a \(c == Byte.closeBracket ? "list" : "mapping") is a mapping key; keys in a pool file are plain names", at: at) }
        } else {
            i += 1
        }
    }

    /// Whether a `:` value indicator follows on this line (the node just read is a key).
    private func isKeyAhead() -> Bool {
        var j = i
        while byte(j) == Byte.space || byte(j) == Byte.tab { j += 1 }
        guard byte(j) == Byte.colon else { return false }
        return isBlank(byte(j + 1)) || (flow > 0 && isFlowIndicator(byte(j + 1)))
    }

    /// libyaml's anchor characters: letters, digits, `-` and `_`.
    private mutating func anchorName() -> String {
        let start = i
        while let b = byte(i), (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == Byte.dash || b == Byte.underscore {
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func quoted(_ quote: UInt8) {
        i += 1
        while let b = byte(i) {
            if b == Byte.newline { i += 1; line += 1; lineStart = i; continue }
            if quote == Byte.doubleQuote, b == Byte.backslash { i += 2; continue }
            if b == quote {
                if quote == Byte.singleQuote, byte(i + 1) == quote { i += 2; continue }
                i += 1
                return
            }
            i += 1
        }
    }

    /// `|` or `>`: the rest of the line, then every line that is blank or indented deeper than
    /// the indicator's line.
    private mutating func blockScalar() {
        let parent = indent
        skipToEndOfLine()
        while byte(i) == Byte.newline {
            var j = i + 1, depth = 0
            while byte(j) == Byte.space { j += 1; depth += 1 }
            guard isBlank(byte(j)) && byte(j) != Byte.space || depth > parent else { break }
            i = j
            line += 1
            lineStart = j - depth
            skipToEndOfLine()
        }
        atNodeStart = false
    }

    /// A plain scalar ends at a value indicator, a comment, the line's end and, in flow context,
    /// at a flow indicator.
    private mutating func plain() {
        while let b = byte(i), b != Byte.newline {
            if isValueIndicator(i) { return }
            if b == Byte.hash, isBlank(byte(i - 1)) { return }
            if flow > 0, isFlowIndicator(b) { return }
            i += 1
        }
    }
}

/// The bytes the scanner looks for, as constants (`UInt8(ascii:)` is a call in debug builds).
private enum Byte {
    static let ampersand: UInt8 = 0x26
    static let backslash: UInt8 = 0x5C
    static let bang: UInt8 = 0x21
    static let closeBrace: UInt8 = 0x7D
    static let closeBracket: UInt8 = 0x5D
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let cr: UInt8 = 0x0D
    static let dash: UInt8 = 0x2D
    static let doubleQuote: UInt8 = 0x22
    static let greater: UInt8 = 0x3E
    static let hash: UInt8 = 0x23
    static let newline: UInt8 = 0x0A
    static let openBrace: UInt8 = 0x7B
    static let openBracket: UInt8 = 0x5B
    static let percent: UInt8 = 0x25
    static let pipe: UInt8 = 0x7C
    static let question: UInt8 = 0x3F
    static let singleQuote: UInt8 = 0x27
    static let space: UInt8 = 0x20
    static let star: UInt8 = 0x2A
    static let tab: UInt8 = 0x09
    static let underscore: UInt8 = 0x5F
}
