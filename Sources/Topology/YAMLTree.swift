/// A composed YAML document in flat arrays: one entry per node, scalars' text in one array,
/// container children as index runs in another. A node is the tree plus an index, so handing
/// nodes around (every spec keeps its fields' nodes for per-host resolution) costs one reference
/// count, where Yams' `Node` (a tag object, a mark, an anchor per node) cost several per copy and
/// a heap allocation per node to build: composing and reading were half a 1,000-object small
/// change. An alias is the index of the node it names, shared as Yams shares it.
final class YAMLTree {
    enum Kind: UInt8 { case scalar, mapping, sequence }

    /// libyaml's scalar styles; only plain matters to the reader (a quoted "10" is a string).
    enum Style: UInt8 { case plain, singleQuoted, doubleQuoted, literal, folded }

    struct Entry {
        var kind: Kind
        var style: Style
        /// 1-based, as every message prints them.
        var line: Int32
        var column: Int32
        /// A scalar: its index in `strings`. A container: its first child in `children`.
        var start: Int32
        /// A mapping: its pairs (children hold key, value, key, value, …). A sequence: its items.
        var count: Int32
    }

    let file: String
    private(set) var entries: [Entry] = []
    private(set) var strings: [String] = []
    private(set) var children: [Int32] = []

    init(file: String) { self.file = file }

    var root: YNode? { entries.isEmpty ? nil : YNode(tree: self, index: 0) }

    // MARK: building (YAMLComposer), in pre-order: a node's index is taken before its children's

    func addScalar(_ text: String, style: Style, line: Int, column: Int) -> Int32 {
        strings.append(text)
        entries.append(Entry(kind: .scalar, style: style, line: Int32(clamping: line), column: Int32(clamping: column),
                             start: Int32(strings.count - 1), count: 0))
        return Int32(entries.count - 1)
    }

    func openContainer(_ kind: Kind, line: Int, column: Int) -> Int32 {
        entries.append(Entry(kind: kind, style: .plain, line: Int32(clamping: line), column: Int32(clamping: column), start: 0, count: 0))
        return Int32(entries.count - 1)
    }

    /// The container's children, in file order (a mapping's as key, value, key, value, …).
    func close(_ index: Int32, children run: ArraySlice<Int32>) {
        let i = Int(index)
        entries[i].start = Int32(children.count)
        entries[i].count = Int32(entries[i].kind == .mapping ? run.count / 2 : run.count)
        children.append(contentsOf: run)
    }

    func reserve(nodes: Int) {
        entries.reserveCapacity(nodes)
        strings.reserveCapacity(nodes)
        children.reserveCapacity(nodes)
    }

    // MARK: reading

    func entry(_ index: Int32) -> Entry { entries[Int(index)] }
    func string(of entry: Entry) -> String { strings[Int(entry.start)] }
    func child(_ position: Int) -> Int32 { children[position] }
}

/// A scalar's text and how it was written.
struct YScalar {
    let string: String
    let style: YAMLTree.Style
}

/// A YAML node together with the file it came from, so every error can say file:line:col.
struct YNode {
    let tree: YAMLTree
    let index: Int32

    private var entry: YAMLTree.Entry { tree.entry(index) }
    var kind: YAMLTree.Kind { entry.kind }
    var file: String { tree.file }
    var mark: SourceMark { let e = entry; return SourceMark(file: tree.file, line: Int(e.line), column: Int(e.column)) }

    /// The text of a scalar, null or not; nil for a container.
    var text: String? {
        let e = entry
        return e.kind == .scalar ? tree.string(of: e) : nil
    }

    var isNull: Bool {
        let e = entry
        guard e.kind == .scalar, e.style == .plain else { return false }
        switch tree.string(of: e) { case "", "~", "null", "Null", "NULL": return true; default: return false }
    }

    var scalar: YScalar? {
        let e = entry
        guard e.kind == .scalar else { return nil }
        let text = tree.string(of: e)
        if e.style == .plain {
            switch text { case "", "~", "null", "Null", "NULL": return nil; default: break }
        }
        return YScalar(string: text, style: e.style)
    }

    /// A container's children in file order; keys and values alternate in a mapping's.
    var children: [YNode] {
        let e = entry
        guard e.kind != .scalar else { return [] }
        let n = Int(e.kind == .mapping ? e.count * 2 : e.count), start = Int(e.start)
        var result: [YNode] = []
        result.reserveCapacity(n)
        for position in start..<(start + n) { result.append(YNode(tree: tree, index: tree.child(position))) }
        return result
    }

    /// A mapping's pairs in file order; empty for anything else.
    var pairs: [(key: YNode, value: YNode)] {
        let e = entry
        guard e.kind == .mapping else { return [] }
        let start = Int(e.start)
        var result: [(key: YNode, value: YNode)] = []
        result.reserveCapacity(Int(e.count))
        for pair in 0..<Int(e.count) {
            result.append((YNode(tree: tree, index: tree.child(start + 2 * pair)), YNode(tree: tree, index: tree.child(start + 2 * pair + 1))))
        }
        return result
    }

    /// The value of a mapping's scalar key `name` (the last, as YAML's last value wins); nil otherwise.
    func value(forKey name: String) -> YNode? {
        let e = entry
        guard e.kind == .mapping else { return nil }
        let start = Int(e.start)
        for pair in stride(from: Int(e.count) - 1, through: 0, by: -1) {
            let key = tree.entry(tree.child(start + 2 * pair))
            if key.kind == .scalar, tree.string(of: key) == name { return YNode(tree: tree, index: tree.child(start + 2 * pair + 1)) }
        }
        return nil
    }
}
