// The one file that calls libyaml (the copy Yams carries): its events become a `YAMLTree`.
// libyaml's types stay in this file.
internal import CYaml

/// Builds a `YAMLTree` from libyaml's event stream, as Yams' composer would build its nodes:
/// same scalars, styles and marks, an alias shares the node its anchor names, the anchor taking
/// effect once its node is complete. Whatever this composer does not accept (a syntax error, an
/// undefined alias, a second document, a key written twice) is handed back for Yams to compose
/// again, so that every error keeps Yams' wording and position (`Topology.yamlSyntaxError`).
enum YAMLComposer {
    enum Outcome {
        case tree(YAMLTree)
        case empty
        /// Not composed here: ask Yams, which either reports the error or, for a key written twice
        /// that it does not count as one (an explicit tag tells them apart), accepts `tree`.
        case askYams(tree: YAMLTree?)
    }

    private struct Open {
        let index: Int32
        let kind: YAMLTree.Kind
        /// Where this container's children start in `pending`.
        let firstChild: Int
        let anchor: String?
    }

    static func compose(_ text: String, file: String, expectedNodes: Int) -> Outcome {
        var text = text
        return text.withUTF8 { bytes in compose(bytes, file: file, expectedNodes: expectedNodes) }
    }

    private static func compose(_ bytes: UnsafeBufferPointer<UInt8>, file: String, expectedNodes: Int) -> Outcome {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return .askYams(tree: nil) }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)

        let tree = YAMLTree(file: file)
        tree.reserve(nodes: expectedNodes)
        var anchors: [String: Int32] = [:]
        var open: [Open] = []
        var pending: [Int32] = []
        var documents = 0
        var duplicateKey = false
        var event = yaml_event_t()

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return .askYams(tree: nil) }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
            var finished: (index: Int32, anchor: String?)?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                guard open.isEmpty else { return .askYams(tree: nil) }
                if documents == 0 { return .empty }
                return duplicateKey ? .askYams(tree: tree) : .tree(tree)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { return .askYams(tree: nil) }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let style: YAMLTree.Style
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                finished = (tree.addScalar(value, style: style, line: line, column: column), name(scalar.anchor))
            case YAML_ALIAS_EVENT:
                guard let target = name(event.data.alias.anchor).flatMap({ anchors[$0] }) else { return .askYams(tree: nil) }
                pending.append(target)
            case YAML_SEQUENCE_START_EVENT:
                open.append(Open(index: tree.openContainer(.sequence, line: line, column: column), kind: .sequence,
                                 firstChild: pending.count, anchor: name(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                open.append(Open(index: tree.openContainer(.mapping, line: line, column: column), kind: .mapping,
                                 firstChild: pending.count, anchor: name(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let container = open.popLast() else { return .askYams(tree: nil) }
                let run = pending[container.firstChild...]
                if container.kind == .mapping, hasDuplicateKey(run, in: tree) { duplicateKey = true }
                tree.close(container.index, children: run)
                pending.removeSubrange(container.firstChild...)
                finished = (container.index, container.anchor)
            default:
                break
            }
            if let finished {
                // As Yams: an anchor names its node once the node is complete; a later anchor of
                // the same name shadows it.
                if let anchor = finished.anchor { anchors[anchor] = finished.index }
                pending.append(finished.index)
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Two scalar keys with the same text. A handful of keys per mapping: pairwise is cheaper
    /// than a set; a large mapping gets the set.
    private static func hasDuplicateKey(_ run: ArraySlice<Int32>, in tree: YAMLTree) -> Bool {
        var keys: [String] = []
        keys.reserveCapacity(run.count / 2)
        var position = run.startIndex
        while position < run.endIndex {
            let key = tree.entry(run[position])
            if key.kind == .scalar { keys.append(tree.string(of: key)) }
            position += 2
        }
        if keys.count <= 16 {
            for i in keys.indices { for j in keys.indices where j > i && keys[i] == keys[j] { return true } }
            return false
        }
        return Set(keys).count != keys.count
    }
}
