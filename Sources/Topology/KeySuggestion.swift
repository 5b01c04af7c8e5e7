/// "Did you mean": the allowed key closest to a misspelt one, for unknown-key errors.
enum KeySuggestion {
    /// The closest key within a small edit distance (or equal once case, `-` and `_` are
    /// ignored: `vlanFiltering`, `vlan-filtering`); nil when none is close enough to help.
    static func closest(to key: String, among candidates: [String]) -> String? {
        guard key.count <= 64 else { return nil }
        let folded = fold(key)
        if let same = candidates.first(where: { fold($0) == folded }) { return same }
        let limit = key.count <= 4 ? 1 : 2
        let scored = candidates.map { ($0, distance(Array(folded), Array(fold($0)))) }.filter { $0.1 <= limit }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    static func fold(_ key: String) -> String { key.lowercased().filter { $0 != "_" && $0 != "-" } }

    /// Levenshtein distance, with a transposition counted as one edit (`mut` for `mtu`).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1) }
            }
        }
        return rows[a.count][b.count]
    }
}
