/// A host of the file being written. A pseudo host stands for a remote VTEP that no merged file
/// describes (another host of the pool): it carries only VXLANs, so that the real hosts' remote
/// lists come out right.
struct DraftHost: Hashable {
    var name: String
    var index: Int
    var pseudo: Bool
}

/// Writes one field's per-host values the shortest way the format offers: one value for all; a
/// `${…}` expression over `index` when the values step with it; else `per_host` (pseudo hosts as
/// `per_host` exceptions to a shared value or expression).
enum PerHostEncoding {
    /// `values` lists the hosts that have a value; `hosts` is every host of the object.
    static func encode(_ values: [(DraftHost, YAMLValue)], hosts: [DraftHost]) -> YAMLValue {
        let real = values.filter { !$0.0.pseudo }
        let pseudo = values.filter { $0.0.pseudo }
        // Patterns are found over real hosts only: a pseudo host's index means nothing.
        if real.count == hosts.filter({ !$0.pseudo }).count, let shared = common(real) {
            if pseudo.allSatisfy({ $0.1 == shared }) && pseudo.count == hosts.count - real.count { return shared }
            if !real.isEmpty {
                return .map([YAMLEntry("per_host", .map(pseudo.filter { $0.1 != shared }.map { YAMLEntry($0.0.name, $0.1) })), YAMLEntry("default", shared)])
            }
        }
        return .map([YAMLEntry("per_host", .map(values.map { YAMLEntry($0.0.name, $0.1) }))])
    }

    /// The one value (or expression) that gives every listed host its own value.
    static func common(_ values: [(DraftHost, YAMLValue)]) -> YAMLValue? {
        guard let first = values.first?.1 else { return nil }
        if values.allSatisfy({ $0.1 == first }) { return first }
        guard values.count >= 2 else { return nil }
        switch first {
        case .string:
            var texts: [(Int, String)] = []
            for (host, value) in values {
                guard case .string(let s) = value else { return nil }
                texts.append((host.index, s))
            }
            return (hexPattern(texts) ?? pattern(texts)).map(YAMLValue.string)
        case .list(let items):
            var columns = Array(repeating: [(DraftHost, YAMLValue)](), count: items.count)
            for (host, value) in values {
                guard case .list(let row) = value, row.count == items.count else { return nil }
                for (i, item) in row.enumerated() { columns[i].append((host, item)) }
            }
            var merged: [YAMLValue] = []
            for column in columns {
                guard let value = common(column) else { return nil }
                merged.append(value)
            }
            return .list(merged)
        default:
            return nil
        }
    }

    /// `192.0.2.11`, `192.0.2.12` on hosts 1 and 2 → `192.0.2.${index + 10}`; `hv01`, `hv02` →
    /// `hv${index:02d}`. The texts must differ only in runs of digits, each run equal on every host
    /// or the host's index plus one constant. Nil when no such pattern gives every text back.
    static func pattern(_ texts: [(index: Int, text: String)]) -> String? {
        let split = texts.map { tokens($0.text) }
        guard let shape = split.first, split.allSatisfy({ $0.count == shape.count }) else { return nil }
        var out = ""
        var varied = false
        for position in shape.indices {
            let column = split.map { $0[position] }
            if column.allSatisfy({ $0 == column[0] }) {
                if column[0].contains("$") { return nil }  // would read as the start of an expression
                out += column[0]
                continue
            }
            guard column.allSatisfy({ $0.first?.isNumber == true }) else { return nil }
            let numbers = column.compactMap { Int($0) }
            guard numbers.count == column.count else { return nil }
            let offset = numbers[0] - texts[0].index
            guard zip(numbers, texts).allSatisfy({ $0 - $1.index == offset }) else { return nil }
            // Zero padding, when every text has the same width and one of them needs it.
            let width = column[0].count
            let padded = column.allSatisfy { $0.count == width } && column.contains { $0.hasPrefix("0") && $0.count > 1 }
            guard padded || column.allSatisfy({ !($0.hasPrefix("0") && $0.count > 1) }) else { return nil }
            var expression = offset == 0 ? "index" : offset > 0 ? "index + \(offset)" : "index - \(-offset)"
            if padded { expression += ":0\(width)d" }
            out += "${\(expression)}"
            varied = true
        }
        return varied ? out : nil
    }

    /// World Wide Names (16 hex digits) whose last digits step with the index in hex:
    /// `2101001b32a9da0a`, `2101001b32a9da0b` on hosts 1 and 2 → `2101001b32a9da${index + 9:02x}`.
    static func hexPattern(_ texts: [(index: Int, text: String)]) -> String? {
        let digits = texts.map { Array($0.text) }
        guard texts.count >= 2, digits.allSatisfy({ $0.count == 16 && $0.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) } }) else { return nil }
        var common = 0
        while common < 16, digits.allSatisfy({ $0[common] == digits[0][common] }) { common += 1 }
        // At most the last 8 digits (a 32-bit step): the rest is the vendor's part of the name.
        guard common < 16, 16 - common <= 8 else { return nil }
        for width in max(2, 16 - common)...8 {
            let values = digits.map { Int(String($0.suffix(width)), radix: 16)! }
            let offset = values[0] - texts[0].index
            guard zip(values, texts).allSatisfy({ $0 - $1.index == offset }) else { continue }
            let expression = offset == 0 ? "index" : offset > 0 ? "index + \(offset)" : "index - \(-offset)"
            return String(digits[0].prefix(16 - width)) + "${\(expression):0\(width)x}"
        }
        return nil
    }

    /// Alternating runs of decimal digits and other characters.
    static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var digits = false
        for c in text {
            let isDigit = c.isASCII && c.isNumber
            if !current.isEmpty && isDigit != digits {
                result.append(current)
                current = ""
            }
            digits = isDigit
            current.append(c)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
