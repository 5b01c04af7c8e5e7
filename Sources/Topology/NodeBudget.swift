import Yams

/// Measures the composed tree as if every alias were written out, without writing it out: the
/// composer shares an aliased node, so its size is computed once and each later use adds that
/// size. Rejects a tree deeper than `InputLimits.maxDepth` or one whose aliases add more than
/// `InputLimits.maxAliasExpansion` nodes (700 bridges reusing one 700-port list would otherwise
/// cost 490,000 port checks per host, and as many errors).
struct NodeBudget {
    /// A list or mapping, by kind and position: an alias carries the position of the node it
    /// names, and no two lists (or two mappings) of a file start at the same place. Yams drops
    /// the anchor names once composing ends, so the position is what identifies a shared node.
    private struct Site: Hashable {
        let isList: Bool
        let line: Int
        let column: Int
    }

    private struct Measure {
        let size: Int
        let height: Int
    }

    private struct TooDeep: Error { let mark: Mark? }

    private let file: String
    private var measured: [Site: Measure] = [:]
    private var uses: [Site: Int] = [:]
    private var expansion = 0

    /// `mayHaveAliases`: false only when the text has no `*` at all, so that no node can be
    /// shared; then only the depth is measured, without the per-node bookkeeping (a sixth of
    /// the parse of a 1,000-bridge file).
    static func check(_ root: Node, file: String, mayHaveAliases: Bool = true) -> TopologyError? {
        var budget = NodeBudget(file: file)
        do {
            if mayHaveAliases { _ = try budget.measure(root, depth: 1) } else { try depthOnly(root, depth: 1) }
        } catch {
            return TopologyError("lists and mappings nest deeper than \(InputLimits.maxDepth) levels (counting what aliases bring in)",
                                 at: budget.mark(error.mark))
        }
        guard budget.expansion > InputLimits.maxAliasExpansion else { return nil }
        let (site, count) = budget.uses.max { a, b in
            (a.value * budget.measured[a.key]!.size, b.key.line) < (b.value * budget.measured[b.key]!.size, a.key.line)
        }!
        let size = budget.measured[site]!.size
        return TopologyError("aliases would expand the file by \(budget.expansion) values; at most \(InputLimits.maxAliasExpansion) are allowed "
                             + "(the \(site.isList ? "list" : "mapping") here, \(size) values, is used again \(count == 1 ? "once" : "\(count) times"))",
                             at: SourceMark(file: file, line: site.line, column: site.column))
    }

    private init(file: String) { self.file = file }

    private func mark(_ m: Mark?) -> SourceMark { SourceMark(file: file, line: m?.line ?? 1, column: m?.column ?? 1) }

    /// The depth check alone, for a tree without aliases (every node written out once).
    private static func depthOnly(_ node: Node, depth: Int) throws(TooDeep) {
        if depth > InputLimits.maxDepth { throw TooDeep(mark: node.mark) }
        switch node {
        case .scalar, .alias: break
        case .sequence(let items):
            for item in items { try depthOnly(item, depth: depth + 1) }
        case .mapping(let pairs):
            for (key, value) in pairs {
                try depthOnly(key, depth: depth + 1)
                try depthOnly(value, depth: depth + 1)
            }
        }
    }

    /// Pre-order, so an anchor's definition is met before any of its aliases.
    private mutating func measure(_ node: Node, depth: Int) throws(TooDeep) -> Measure {
        if depth > InputLimits.maxDepth { throw TooDeep(mark: node.mark) }
        var site: Site?
        switch node {
        case .sequence(let items) where !items.isEmpty: site = Site(isList: true, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        case .mapping(let pairs) where !pairs.isEmpty: site = Site(isList: false, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        default: site = nil
        }
        if let site, let known = measured[site] {
            uses[site, default: 0] += 1
            expansion += known.size
            if depth + known.height - 1 > InputLimits.maxDepth { throw TooDeep(mark: node.mark) }
            return known
        }
        var size = 1, height = 1
        switch node {
        case .scalar, .alias: break
        case .sequence(let items):
            for item in items {
                let m = try measure(item, depth: depth + 1)
                size += m.size
                height = max(height, m.height + 1)
            }
        case .mapping(let pairs):
            for (key, value) in pairs {
                for child in [key, value] {
                    let m = try measure(child, depth: depth + 1)
                    size += m.size
                    height = max(height, m.height + 1)
                }
            }
        }
        let result = Measure(size: size, height: height)
        if let site {
            measured[site] = result
            uses[site] = uses[site] ?? 0
        }
        return result
    }
}
