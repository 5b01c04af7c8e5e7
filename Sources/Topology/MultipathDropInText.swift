/// The text of poolnet's multipath drop-in, one way in both directions: the file's `multipath:`
/// keys rendered (what `apply` writes), and a drop-in read back into those keys (what `import`
/// declares, only when rendering them gives the same bytes).
public enum MultipathDropInText {
    public typealias Sections = [(section: String, entries: [(key: String, value: String)])]

    static func header(pool: String) -> String { "# Written by poolnet for pool \(pool); `poolnet apply` replaces this file.\n" }

    public static func render(pool: String, _ sections: Sections) -> String {
        var text = header(pool: pool)
        for (section, entries) in sections {
            text += "\(section) {\n"
            for (key, value) in entries { text += "\t\(key) \(value.contains(" ") ? "\"\(value)\"" : value)\n" }
            text += "}\n"
        }
        return text
    }

    /// The sections and keys of a drop-in poolnet wrote for `pool`; nil, with the reason, when
    /// the text is not one (another pool's, edited by hand, a key poolnet does not write).
    public static func parse(_ text: String, pool: String) -> Result<Sections, ParseFailure> {
        guard text.hasPrefix(header(pool: pool)) else {
            return .failure(ParseFailure(reason: "it was not written by poolnet for pool \(pool) (its first line differs)"))
        }
        var sections: Sections = []
        for line in text.dropFirst(header(pool: pool).count).split(separator: "\n") {
            if line.hasSuffix(" {"), ISCSISettings.multipathSections.contains(String(line.dropLast(2))) {
                sections.append((String(line.dropLast(2)), []))
            } else if line == "}" {
                continue
            } else if line.hasPrefix("\t"), !sections.isEmpty, let space = line.firstIndex(of: " ") {
                let key = String(line.dropFirst()[..<space])
                var value = String(line[line.index(after: space)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                if ISCSISettings.neverWritten.contains(key) || MultipathKeys.allowed[key] == nil {
                    return .failure(ParseFailure(reason: "it sets \(MultipathKeys.quoted(key)), which a pool file cannot"))
                }
                if let problem = MultipathKeys.problem(key: key, value: value) {
                    return .failure(ParseFailure(reason: "\(key) \(problem)"))
                }
                sections[sections.count - 1].entries.append((key, value))
            } else {
                return .failure(ParseFailure(reason: "its line \(MultipathKeys.quoted(String(line))) is not one poolnet writes"))
            }
        }
        guard render(pool: pool, sections) == text else {
            return .failure(ParseFailure(reason: "it is not laid out as poolnet writes it (edited by hand?)"))
        }
        return .success(sections)
    }

    public struct ParseFailure: Error { public var reason: String }
}
