/// A YAML value as `poolnet import` writes it: only what a pool file needs.
public indirect enum YAMLValue: Equatable, Sendable {
    /// A string: written plain when that reads back as the same string, double-quoted otherwise.
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([YAMLValue])
    /// Entries in the order given; a comment, when present, goes on the line above the entry.
    case map([YAMLEntry])

    public static func strings(_ items: [String]) -> YAMLValue { .list(items.map { .string($0) }) }
}

public struct YAMLEntry: Equatable, Sendable {
    public var key: String
    public var value: YAMLValue
    public var comments: [String]

    public init(_ key: String, _ value: YAMLValue, comments: [String] = []) {
        self.key = key
        self.value = value
        self.comments = comments
    }
}

/// Writes YAML block style, with short lists and maps of scalars in flow style (`[a, b]`,
/// `{ index: 1 }`). Every string that a YAML reader could take for something else (a number,
/// a boolean, null, or text with indicators such as `:` `#` `{` `,`) is double-quoted.
public enum YAMLWriter {
    public static func document(_ entries: [YAMLEntry], header: [String] = []) -> String {
        var out = header.map { comment($0, indent: 0) }.joined()
        for entry in entries { out += write(entry, indent: 0) }
        return out
    }

    static func comment(_ text: String, indent: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String(repeating: " ", count: indent) + ($0.isEmpty ? "#" : "# \($0)") + "\n" }.joined()
    }

    static func write(_ entry: YAMLEntry, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = entry.comments.map { comment($0, indent: indent) }.joined()
        let key = scalar(entry.key)
        // Top-level mappings (hosts, storage) read better one entry per line.
        let topLevelMap = indent == 0 && { if case .map = entry.value { return true } else { return false } }()
        if !topLevelMap, let flow = flow(entry.value) { return out + "\(pad)\(key): \(flow)\n" }
        out += "\(pad)\(key):\n"
        return out + block(entry.value, indent: indent + 2)
    }

    static func block(_ value: YAMLValue, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .map(let entries):
            return entries.map { write($0, indent: indent) }.joined()
        case .list(let items):
            return items.map { item -> String in
                if let flow = flow(item) { return "\(pad)- \(flow)\n" }
                guard case .map(let entries) = item, let first = entries.first else { return "\(pad)- \(flow(item) ?? "")\n" }
                // `- key: value` then the other keys aligned under the first one.
                var text = first.comments.map { comment($0, indent: indent) }.joined()
                let rest = write(YAMLEntry(first.key, first.value), indent: indent + 2)
                text += pad + "- " + rest.dropFirst(indent + 2)
                for entry in entries.dropFirst() { text += write(entry, indent: indent + 2) }
                return text
            }.joined()
        default:
            return pad + (flow(value) ?? "") + "\n"
        }
    }

    /// One-line form for scalars, lists of scalars and small maps of scalars; nil when the value
    /// needs block style.
    static func flow(_ value: YAMLValue) -> String? {
        switch value {
        case .string(let s): return scalar(s)
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items):
            let parts = items.map(flow)
            guard parts.allSatisfy({ $0 != nil }), items.allSatisfy(isScalar) else { return nil }
            let text = "[" + parts.map { $0! }.joined(separator: ", ") + "]"
            return text.count <= 100 ? text : nil
        case .map(let entries):
            guard !entries.isEmpty, entries.count <= 4, entries.allSatisfy({ $0.comments.isEmpty }) else { return entries.isEmpty ? "{}" : nil }
            var parts: [String] = []
            for entry in entries {
                guard let v = flow(entry.value) else { return nil }
                parts.append("\(scalar(entry.key)): \(v)")
            }
            let text = "{ " + parts.joined(separator: ", ") + " }"
            return text.count <= 100 ? text : nil
        }
    }

    static func isScalar(_ value: YAMLValue) -> Bool {
        switch value {
        case .string, .int, .bool: return true
        default: return false
        }
    }

    /// Words YAML 1.1 or 1.2 readers turn into booleans or null.
    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// The string as a YAML scalar: plain when safe, else double-quoted with escapes.
    public static func scalar(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Letters, digits and `_ . / - +` only, not starting with `-`, `.` or `+`, not a number or a
    /// reserved word: such a string reads back as itself in block and flow context.
    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        if reserved.contains(s.lowercased()) { return false }
        if first == "-" || first == "." || first == "+" { return false }
        for c in s.unicodeScalars {
            let ok = ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "." || c == "/" || c == "-" || c == "+"
            if !ok { return false }
        }
        // Numbers in any YAML spelling (1e3, 0x1f, 0o7, .5, 1_000, 1.2.3 is fine but keep simple).
        if s.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "e" || $0 == "E" || $0 == "-" || $0 == "+" }) { return false }
        if s.lowercased().hasPrefix("0x") || s.lowercased().hasPrefix("0o") || s.lowercased().hasPrefix("0b") { return false }
        return true
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
