/// The shape of poolnet's multipath drop-in, checked before the file is written: comment lines,
/// `section {`, a tab-indented `key value` (value a word, or a quoted phrase of words), `}`.
/// Validation allows only such values; this refuses anything else a caller might hand the
/// writer, so no value can close `overrides` and open a `blacklist`.
public enum MultipathDropIn {
    /// The sections poolnet writes (never `blacklist`, `devices` or `multipaths`).
    static let sections: Set<String> = ["defaults", "overrides"]

    /// Why `content` is not a drop-in poolnet would write, or nil.
    public static func problem(_ content: String) -> String? {
        var open = false
        for (number, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let where_ = "line \(number + 1)"
            if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
                return "\(where_) holds a control character"
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !open, line.hasSuffix(" {"), sections.contains(String(line.dropLast(2))) { open = true; continue }
            if open, line == "}" { open = false; continue }
            guard open, line.hasPrefix("\t") else { return "\(where_) is not a section, a key or a closing brace: \(line)" }
            let parts = line.dropFirst().split(separator: " ", maxSplits: 1)
            guard parts.count == 2, isWord(parts[0]) else { return "\(where_) is not \"key value\": \(line)" }
            let value = parts[1]
            let quoted = value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")
            let words = quoted ? value.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: false) : [value]
            guard words.allSatisfy(isWord) else { return "\(where_) has a value that is not a word: \(line)" }
        }
        return open ? "a section is not closed" : nil
    }

    /// Letters, digits, `_`, `-`, `.` and `+`: what multipath.conf values and keys are made of.
    static func isWord(_ s: Substring) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.+".unicodeScalars.contains($0)) }
    }
}
