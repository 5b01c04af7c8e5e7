import Yams

extension Topology {
    /// Yams' error in the file's terms, at the line that holds the mistake.
    static func yamlSyntaxError(_ error: YamlError, file: String, text: String) -> TopologyError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let at = SourceMark(file: file, line: mark.line, column: mark.column)
            if problem == "found undefined alias" {
                let name = YAMLLines(text).aliasName(line: mark.line, column: mark.column)
                return TopologyError("the alias *\(name) names no anchor; define &\(name) before using it", at: at)
            }
            if problem.hasPrefix("Maximum nesting level reached") {
                return TopologyError("lists and mappings nest deeper than \(InputLimits.maxDepth) levels", at: at)
            }
            // A key written "key:value" reads as one string, and YAML notices only on a later line.
            if let missing = YAMLLines(text).missingSpaceAfterColon(near: mark.line, file: file) { return missing }
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return TopologyError("YAML syntax: \(text)", at: at)
        case let .duplicatedKeysInMapping(duplicates, context):
            return TopologyError("duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in a mapping",
                                 at: SourceMark(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return TopologyError("YAML: \(error)", at: SourceMark(file: file, line: 1, column: 1))
        }
    }
}

/// Looks at the file's text around a syntax error.
struct YAMLLines {
    let lines: [Substring]

    init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    func line(_ n: Int) -> Substring? { n >= 1 && n <= lines.count ? lines[n - 1] : nil }

    /// The anchor name after the `*` at line:column (libyaml's anchor characters).
    func aliasName(line n: Int, column: Int) -> String {
        guard let text = line(n) else { return "" }
        let rest = text.unicodeScalars.dropFirst(max(0, column - 1)).drop { $0 == "*" || $0 == " " }
        return String(String.UnicodeScalarView(rest.prefix { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }))
    }

    /// `key:value` at the start of the error's line or of the nearest line with content before it.
    func missingSpaceAfterColon(near n: Int, file: String) -> TopologyError? {
        var candidates = [n]
        var previous = n - 1
        while let text = line(previous), text.allSatisfy({ $0 == " " }) || text.drop(while: { $0 == " " }).hasPrefix("#") { previous -= 1 }
        if line(previous) != nil { candidates.insert(previous, at: 0) }
        for number in candidates {
            guard let text = line(number), let found = Self.keyWithoutSpace(text) else { continue }
            return TopologyError("missing space after \":\" in \"\(found.token)\": YAML reads it as one string, not a key and a value",
                                 at: SourceMark(file: file, line: number, column: found.column))
        }
        return nil
    }

    /// `name:br0` or `- name:br0`, where the key is a plain word and the value does not start
    /// with another colon or a slash (an IPv6 address, a URL).
    static func keyWithoutSpace(_ text: Substring) -> (token: String, column: Int)? {
        var rest = text.drop { $0 == " " }
        if rest.hasPrefix("- ") { rest = rest.dropFirst(2).drop { $0 == " " } }
        let column = text.distance(from: text.startIndex, to: rest.startIndex) + 1
        guard let first = rest.first, first.isLetter || first == "_" else { return nil }
        let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        let afterKey = rest.dropFirst(key.count)
        guard afterKey.first == ":", let next = afterKey.dropFirst().first, next != " ", next != ":", next != "/", next != "\t" else { return nil }
        let token = rest.prefix { $0 != " " && $0 != "#" }
        return (String(token), column)
    }
}
