/// Measures the composed tree as if every alias were written out, without writing it out: the
/// composer shares an aliased node, so its size is computed once and each later use adds that
/// size. Rejects a tree deeper than `InputLimits.maxDepth` or one whose aliases add more than
/// `InputLimits.maxAliasExpansion` nodes (700 bridges reusing one 700-port list would otherwise
/// cost 490,000 port checks per host, and as many errors).
struct NodeBudget {
    private struct Measure {
        let size: Int
        let height: Int
    }

    private struct TooDeep: Error { let index: Int32 }

    /// Sizes, expansions and their products stop here instead of overflowing: aliases multiply
    /// (twenty levels of ten aliases each written in 1 KB name 10^20 values), and such a file is
    /// an error to report, not an arithmetic trap.
    static let ceiling = Int.max / 4
    private static func sum(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? ceiling : min(result, ceiling)
    }
    private static func product(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ceiling : min(result, ceiling)
    }
    private static func count(_ n: Int) -> String { n >= ceiling ? "more than \(ceiling)" : "\(n)" }

    /// Per shared list or mapping (an alias is the index of the node it names): its measure and
    /// how many times it was used again.
    private var measured: [Int32: Measure] = [:]
    private var uses: [Int32: Int] = [:]
    private var expansion = 0

    /// `mayHaveAliases`: false only when the text has no `*` at all, so that no node can be
    /// shared; then only the depth is measured, without the per-node bookkeeping (a sixth of
    /// the parse of a 1,000-bridge file).
    static func check(_ root: YNode, mayHaveAliases: Bool = true) -> TopologyError? {
        var budget = NodeBudget()
        do {
            if mayHaveAliases { _ = try budget.measure(root, depth: 1) } else { try depthOnly(root, depth: 1) }
        } catch {
            return TopologyError("lists and mappings nest deeper than \(InputLimits.maxDepth) levels (counting what aliases bring in)",
                                 at: YNode(tree: root.tree, index: error.index).mark)
        }
        guard budget.expansion > InputLimits.maxAliasExpansion else { return nil }
        // The node whose reuse adds the most; of equals, the first in the file (node indexes are
        // in file order): two anchored lists on one line, reused alike, name the same one every run.
        let (index, count) = budget.uses.max { a, b in
            (product(a.value, budget.measured[a.key]!.size), b.key) < (product(b.value, budget.measured[b.key]!.size), a.key)
        }!
        let shared = YNode(tree: root.tree, index: index)
        let size = budget.measured[index]!.size
        return TopologyError("aliases would expand the file by \(Self.count(budget.expansion)) values; at most \(InputLimits.maxAliasExpansion) are allowed "
                             + "(the \(shared.kind == .sequence ? "list" : "mapping") here, \(Self.count(size)) values, is used again \(count == 1 ? "once" : "\(count) times"))",
                             at: shared.mark)
    }

    /// The depth check alone, for a tree without aliases (every node written out once).
    private static func depthOnly(_ node: YNode, depth: Int) throws(TooDeep) {
        if depth > InputLimits.maxDepth { throw TooDeep(index: node.index) }
        guard node.kind != .scalar else { return }
        for child in node.children { try depthOnly(child, depth: depth + 1) }
    }

    /// Pre-order, so an anchor's definition is met before any of its aliases.
    private mutating func measure(_ node: YNode, depth: Int) throws(TooDeep) -> Measure {
        if depth > InputLimits.maxDepth { throw TooDeep(index: node.index) }
        let children = node.children
        // Scalars and empty containers cost one value wherever they appear.
        let shareable = !children.isEmpty
        if shareable, let known = measured[node.index] {
            uses[node.index, default: 0] += 1
            expansion = Self.sum(expansion, known.size)
            if depth + known.height - 1 > InputLimits.maxDepth { throw TooDeep(index: node.index) }
            return known
        }
        var size = 1, height = 1
        for child in children {
            let m = try measure(child, depth: depth + 1)
            size = Self.sum(size, m.size)
            height = max(height, m.height + 1)
        }
        let result = Measure(size: size, height: height)
        if shareable {
            measured[node.index] = result
            uses[node.index] = uses[node.index] ?? 0
        }
        return result
    }
}
