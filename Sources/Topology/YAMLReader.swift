extension YNode {
    var typeName: String {
        switch kind {
        case .scalar:
            let s = text ?? ""
            return s.isEmpty || s == "~" || s == "null" ? "null" : "a scalar"
        case .mapping:
            let keys = pairs.map { $0.key.text ?? "?" }
            guard !keys.isEmpty else { return "an empty mapping" }
            let shown = keys.prefix(3).joined(separator: ", ") + (keys.count > 3 ? ", …" : "")
            // `perhost`, `per-host`, `perHost`: a per-host value with the key misspelt.
            let misspeltPerHost = keys.contains { $0 != "per_host" && $0.lowercased().filter { $0 != "_" && $0 != "-" } == "perhost" }
            return "a mapping with the key\(keys.count == 1 ? "" : "s") \(shown)"
                + (misspeltPerHost ? " (a per-host value is written { per_host: { HOST: VALUE }, default: VALUE })" : "")
        case .sequence: return "a list"
        }
    }

    /// Entries of a mapping, in file order; throws when the node is not a mapping.
    func mapping(_ what: String) throws -> [(key: YNode, value: YNode)] {
        guard kind == .mapping else {
            if let s = scalar, let found = YAMLLines.keyWithoutSpace(Substring(s.string)) {
                throw TopologyError("\(what) must be a mapping, found the string \"\(found.token)\" (missing space after \":\"?)", at: mark)
            }
            throw TopologyError("\(what) must be a mapping, found \(typeName)", at: mark)
        }
        return pairs
    }

    func sequence(_ what: String) throws -> [YNode] {
        guard kind == .sequence else {
            throw TopologyError("\(what) must be a list, found \(typeName)", at: mark)
        }
        return children
    }

    /// A plain string value; numbers and booleans are accepted as their text (e.g. an interface named 10).
    func string(_ what: String) throws -> String {
        guard let s = scalar else { throw TopologyError("\(what) must be a string, found \(typeName)", at: mark) }
        return s.string
    }

    func int(_ what: String) throws -> Int {
        guard let s = scalar, s.style == .plain, let value = Int(s.string) else {
            throw TopologyError("\(what) must be an integer, found \(describeValue)", at: mark)
        }
        return value
    }

    func bool(_ what: String) throws -> Bool {
        guard let s = scalar, s.style == .plain else {
            throw TopologyError("\(what) must be true or false, found \(describeValue)", at: mark)
        }
        switch s.string {
        case "true", "True", "TRUE", "yes", "on": return true
        case "false", "False", "FALSE", "no", "off": return false
        default: throw TopologyError("\(what) must be true or false, found \(describeValue)", at: mark)
        }
    }

    var describeValue: String {
        if let s = scalar { return "\"\(s.string)\"" }
        return typeName
    }
}

/// Reads a mapping's keys one by one and reports, at the end, any key nobody asked for.
final class MappingReader {
    let node: YNode
    let what: String
    /// The entries in file order. A handful per object: a linear search costs less than the
    /// dictionary and set built for each of a file's thousands of objects (~40 % of the
    /// structural parse of a 2,000-object file).
    private var entries: [(name: String, key: YNode, value: YNode)] = []
    /// Per entry: asked for by the caller.
    private var read: [Bool] = []
    /// Keys asked for that the mapping lacks: allowed too, so the unknown-key message lists them.
    private var askedAbsent: [String] = []
    /// Every key the mapping may have, when the caller lists them: a missing required key is then
    /// reported together with the unknown keys (often the same key, misspelt). An array: a set
    /// is built only for an error, not for each of a file's thousands of objects.
    private let known: [String]

    init(_ node: YNode, what: String, keys: [String] = []) throws {
        self.node = node
        self.what = what
        self.known = keys
        let pairs = try node.mapping(what)
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            guard let name = key.scalar?.string else { _ = try key.string("a key of \(what)"); continue }
            entries.append((name, key, value))
        }
        read = Array(repeating: false, count: entries.count)
    }

    var keys: [String] { entries.map(\.name) }

    /// Marks every entry named `key` as read; the last one (YAML's last value wins), or nil.
    private func take(_ key: String) -> Int? {
        var found: Int?
        for i in entries.indices where entries[i].name == key {
            read[i] = true
            found = i
        }
        if found == nil { askedAbsent.append(key) }
        return found
    }

    func optional(_ key: String) -> YNode? {
        guard let i = take(key), !entries[i].value.isNull else { return nil }
        return entries[i].value
    }

    /// A key the object needs: when it is missing the error is collected and decoding goes on,
    /// so the object's other mistakes are reported in the same run.
    func required(_ key: String, errors: ErrorSink) -> YNode? {
        if let value = optional(key) { return value }
        errors.add("\(what) needs the key \"\(key)\"", at: node.mark)
        return nil
    }

    func required(_ key: String) throws -> YNode {
        guard let value = optional(key) else {
            let missing = TopologyError("\(what) needs the key \"\(key)\"", at: node.mark)
            if known.isEmpty { throw missing }
            for name in known { _ = take(name) }
            throw TopologyErrors([missing] + unknownKeys())
        }
        return value
    }

    func keyNode(_ key: String) -> YNode? { entries.last { $0.name == key }?.key }

    /// Errors for keys that were never read, with the closest allowed key and the keys that are allowed.
    func unknownKeys() -> [TopologyError] {
        // Most mappings have only keys that were read: no sets, sorts or joins for them.
        guard read.contains(false) else { return [] }
        let present = entries.map(\.name)
        let allowedKeys = Set(askedAbsent).union(entries.indices.filter { read[$0] }.map { entries[$0].name }).union(known)
        let allowed = allowedKeys.sorted().joined(separator: ", ")
        // A suggestion only among the keys the mapping lacks: a key it has is not the one meant.
        let absent = allowedKeys.subtracting(present).sorted()
        return entries.filter { !allowedKeys.contains($0.name) }.map { entry in
            let hint = KeySuggestion.closest(to: entry.name, among: absent).map { "; did you mean \"\($0)\"?" } ?? ""
            return TopologyError("unknown key \"\(entry.name)\" in \(what)\(hint) (allowed: \(allowed))", at: entry.key.mark)
        }
    }
}
