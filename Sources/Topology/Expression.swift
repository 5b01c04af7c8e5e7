/// The values a `${…}` expression can name on one host.
public struct HostContext: Sendable, Hashable {
    public var name: String
    public var index: Int
    public var vars: [String: String]

    public init(name: String, index: Int, vars: [String: String] = [:]) {
        self.name = name
        self.index = index
        self.vars = vars
    }
}

/// Expands `${expr}` and `${expr:fmt}` inside a string: `192.0.2.${index + 10}`, `hv${index:02d}`,
/// `2101001b32a9da${index:02x}`, `${vars.san_nic}` (or just `${san_nic}`).
/// Expressions are integer arithmetic (+ - * / % and parentheses) over `index` and numeric vars;
/// `name` and string vars may only stand alone.
enum HostExpression {
    struct Failure: Error { let message: String }

    /// Whether `text` holds a `${`: a byte scan, because String.contains(String) goes through
    /// Foundation and showed up in the parse profile of large files.
    static func hasExpression(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if previous == UInt8(ascii: "$"), byte == UInt8(ascii: "{") { return true }
            previous = byte
        }
        return false
    }

    static func expand(_ text: String, in context: HostContext) throws(Failure) -> String {
        guard hasExpression(text) else { return text }
        // Over UTF-8 bytes: `$`, `{` and `}` are ASCII, so they never fall inside a multi-byte
        // character; Substring.range(of:) went through Foundation, a third of a no-op plan's CPU
        // on a 1,000-VXLAN file.
        let bytes = Array(text.utf8)
        var out = ""
        var literal = 0, i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "{") else { i += 1; continue }
            out += String(decoding: bytes[literal..<i], as: UTF8.self)
            guard let end = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                throw Failure(message: "unterminated \"${\" in \"\(text)\"")
            }
            out += try evaluate(String(decoding: bytes[(i + 2)..<end], as: UTF8.self), in: context)
            i = end + 1
            literal = i
        }
        return out + String(decoding: bytes[literal...], as: UTF8.self)
    }

    /// Bounds that keep a hostile expression from exhausting the stack or the CPU.
    static let maxDepth = 32
    static let maxLength = 1000

    static func evaluate(_ source: String, in context: HostContext) throws(Failure) -> String {
        guard source.utf8.count <= maxLength else {
            throw Failure(message: "the expression is \(source.utf8.count) characters long; at most \(maxLength) are allowed")
        }
        var body = source
        var format: String?
        // ASCII (every expression of a usual file) is searched by byte: Character search was
        // the largest part of evaluating `${index}` (~1,700 instructions); anything else keeps
        // Character semantics (a ":" under a combining mark is not a colon).
        let ascii = source.utf8.allSatisfy { $0 < 0x80 }
        if let colon = ascii ? source.utf8.lastIndex(of: UInt8(ascii: ":")) : source.lastIndex(of: ":") {
            body = String(source[..<colon])
            format = String(source[source.index(after: colon)...]).trimmingSpaces
        }
        let trimmed = body.trimmingSpaces
        // A lone identifier may name a string (the host's name, a string var); formats need numbers.
        if format == nil, isIdentifier(trimmed), trimmed != "index" {
            if trimmed == "name" { return context.name }
            let key = trimmed.hasPrefix("vars.") ? String(trimmed.dropFirst(5)) : trimmed
            guard let value = context.vars[key] else {
                let known = (["index", "name"] + context.vars.keys.sorted()).joined(separator: ", ")
                throw Failure(message: "unknown variable \"\(trimmed)\" (known: \(known))")
            }
            return value
        }
        if let value = indexOffset(trimmed, index: context.index) { return try apply(format: format, to: value) }
        return try apply(format: format, to: parse(trimmed, source: source, in: context))
    }

    /// The general path: tokens, then recursive descent.
    static func parse(_ trimmed: String, source: String, in context: HostContext) throws(Failure) -> Int {
        var parser = Parser(tokens: try tokenize(trimmed), source: trimmed, context: context)
        let value = try parser.parseExpression()
        guard parser.atEnd else { throw Failure(message: "cannot read \"\(source)\" as an expression") }
        return value
    }

    /// `index`, `index + k` and `index - k` (k in ASCII digits, spaces around the sign), nearly
    /// every expression a pool file holds, in one pass over the bytes: tokenizing them character by
    /// character was ~15 % of a no-op plan on a 1,000-VXLAN file. nil for anything else, and for an
    /// overflow, so that the parser gives the value or the error, in its own words.
    static func indexOffset(_ expression: String, index: Int) -> Int? {
        var bytes = expression.utf8[...]
        guard bytes.starts(with: "index".utf8) else { return nil }
        bytes = bytes.dropFirst(5)
        let space = UInt8(ascii: " ")
        while bytes.first == space { bytes = bytes.dropFirst() }
        guard let sign = bytes.first else { return index }
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        bytes = bytes.dropFirst()
        while bytes.first == space { bytes = bytes.dropFirst() }
        // 18 digits cannot overflow an Int; longer numbers go to the parser (which names them).
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let k = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let (result, overflowed) = sign == UInt8(ascii: "+") ? index.addingReportingOverflow(k) : index.subtractingReportingOverflow(k)
        return overflowed ? nil : result
    }

    private static func isIdentifier(_ s: String) -> Bool {
        // ASCII, the usual case, without the Unicode property tables.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            func letter(_ b: UInt8) -> Bool { b == UInt8(ascii: "_") || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) }
            guard let first = s.utf8.first, letter(first) else { return false }
            return s.utf8.allSatisfy { letter($0) || $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    private static func apply(format: String?, to value: Int) throws(Failure) -> String {
        guard let format, !format.isEmpty else { return String(value) }
        var spec = Substring(format)
        guard let kind = spec.popLast(), kind == "d" || kind == "x" || kind == "X" else {
            throw Failure(message: "unknown format \"\(format)\" (use d, x or X with an optional zero-padded width such as 02x)")
        }
        let width = spec.isEmpty ? 0 : Int(spec) ?? -1
        guard width >= 0, width <= 32 else { throw Failure(message: "bad width in format \"\(format)\"") }
        var digits = String(value, radix: kind == "d" ? 10 : 16, uppercase: kind == "X")
        let pad = spec.hasPrefix("0") ? "0" : " "
        if digits.count < width { digits = String(repeating: pad, count: width - digits.count) + digits }
        return digits
    }

    enum Token: Equatable { case number(Int), identifier(String), op(Character) }

    private static func tokenize(_ s: String) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " { i += 1; continue }
            if c.isNumber {
                var j = i
                while j < chars.count, chars[j].isNumber { j += 1 }
                let digits = String(chars[i..<j])
                guard let n = Int(digits) else { throw Failure(message: "number \(digits) in \"\(s)\" is larger than a 64-bit integer") }
                tokens.append(.number(n)); i = j
            } else if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." { j += 1 }
                tokens.append(.identifier(String(chars[i..<j]))); i = j
            } else if "+-*/%()".contains(c) {
                tokens.append(.op(c)); i += 1
            } else {
                throw Failure(message: "unexpected \"\(c)\" in \"\(s)\"")
            }
        }
        chars.removeAll()
        return tokens
    }

    /// Recursive descent over + - (lowest), * / %, then atoms, in checked 64-bit arithmetic.
    /// Parentheses and unary minus count towards `maxDepth`, so the recursion stays shallow.
    struct Parser {
        var tokens: [Token]
        var position = 0
        let source: String
        let context: HostContext
        var depth = 0

        init(tokens: [Token], source: String, context: HostContext) {
            self.tokens = tokens
            self.source = source
            self.context = context
        }

        var atEnd: Bool { position == tokens.count }

        func overflow(_ lhs: Int, _ op: String, _ rhs: Int) -> Failure {
            Failure(message: "\"\(source)\" overflows a 64-bit integer (\(lhs) \(op) \(rhs))")
        }

        mutating func nest() throws(Failure) {
            depth += 1
            if depth > HostExpression.maxDepth { throw Failure(message: "the expression nests deeper than \(HostExpression.maxDepth) levels") }
        }

        mutating func parseExpression() throws(Failure) -> Int {
            var value = try parseTerm()
            while position < tokens.count, case .op(let c) = tokens[position], c == "+" || c == "-" {
                position += 1
                let rhs = try parseTerm()
                let (result, overflowed) = c == "+" ? value.addingReportingOverflow(rhs) : value.subtractingReportingOverflow(rhs)
                if overflowed { throw overflow(value, String(c), rhs) }
                value = result
            }
            return value
        }

        mutating func parseTerm() throws(Failure) -> Int {
            var value = try parseAtom()
            while position < tokens.count, case .op(let c) = tokens[position], "*/%".contains(c) {
                position += 1
                let rhs = try parseAtom()
                if c != "*", rhs == 0 { throw Failure(message: "\"\(source)\" divides by zero") }
                // Int.min / -1 and Int.min % -1 overflow (and trap) like a product does.
                let (result, overflowed) = switch c {
                case "*": value.multipliedReportingOverflow(by: rhs)
                case "/": value.dividedReportingOverflow(by: rhs)
                default: value.remainderReportingOverflow(dividingBy: rhs)
                }
                if overflowed { throw overflow(value, String(c), rhs) }
                value = result
            }
            return value
        }

        mutating func parseAtom() throws(Failure) -> Int {
            guard position < tokens.count else { throw Failure(message: "expression ends too early") }
            let token = tokens[position]
            position += 1
            switch token {
            case .number(let n): return n
            case .op("-"):
                try nest()
                defer { depth -= 1 }
                let operand = try parseAtom()
                let (result, overflowed) = Int(0).subtractingReportingOverflow(operand)
                if overflowed { throw Failure(message: "\"\(source)\" overflows a 64-bit integer (-(\(operand)))") }
                return result
            case .op("("):
                try nest()
                defer { depth -= 1 }
                let v = try parseExpression()
                guard position < tokens.count, tokens[position] == .op(")") else { throw Failure(message: "missing \")\"") }
                position += 1
                return v
            case .identifier(let id):
                if id == "index" { return context.index }
                let key = id.hasPrefix("vars.") ? String(id.dropFirst(5)) : id
                guard let text = context.vars[key] else { throw Failure(message: "unknown variable \"\(id)\"") }
                guard let n = Int(text) else { throw Failure(message: "variable \"\(id)\" is \"\(text)\", not a number") }
                return n
            case .op(let c): throw Failure(message: "unexpected \"\(c)\"")
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        // ASCII by byte; otherwise by Character, as before (a space under a combining mark stays).
        if utf8.allSatisfy({ $0 < 0x80 }) {
            guard let first = utf8.firstIndex(where: { $0 != 0x20 }), let last = utf8.lastIndex(where: { $0 != 0x20 }) else { return "" }
            return String(self[first...last])
        }
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
