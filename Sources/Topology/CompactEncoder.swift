import HostState

/// A binary form of `Codable` values for the resolved-state cache: JSONDecoder spent ~50 ms on a
/// 1,000-NIC host's state (a no-op's largest part), mostly in one keyed container per source
/// mark, sysctl key and address. Here those leaves are written flat (`CompactTag.mark`, `.sysctl`,
/// `.prefix`) and objects and arrays carry their byte length, so a container skips a value
/// without reading it. Private to poolnet: the format is versioned by the cache's build key.
///
/// Layout: a tag byte, then: unsigned LEB128 (`.uint`), zigzag LEB128 (`.int`), 8 bytes
/// (`.double`), length + UTF-8 (`.string`), length + count + entries (`.object`: key string,
/// value; `.array`: values), or a leaf's fields.
enum CompactTag: UInt8 {
    case null = 0, no, yes, uint, int, double, string, object, array, mark, sysctl, prefix
}

/// One constraint beyond Codable's: a type that writes a source mark, sysctl key or prefix
/// through a container reads it back through a container (`decode(IPPrefix.self)`), not by
/// handing its decoder to the leaf's `init(from:)`; every type of `DesiredState` does.
public enum CompactCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = CompactEncoder()
        try encoder.encodeValue(value)
        var out: [UInt8] = []
        try encoder.root.write(into: &out)
        return out
    }

    struct ConflictingContainers: Error, CustomStringConvertible {
        var description: String { "one value was written through two kinds of container" }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            let reader = CompactReader(buffer)
            var cursor = 0
            let value = try CompactDecoder(reader: reader, offset: 0).decodeValue(T.self, cursor: &cursor)
            guard cursor == buffer.count else { throw reader.corrupt(cursor, "trailing bytes") }
            return value
        }
    }
}

/// A tree built while encoding (containers are handed out before their contents are known),
/// written once at the end with each object's and array's length.
final class CompactNode {
    enum Value {
        case leaf([UInt8])
        case object([(String, CompactNode)])
        case array([CompactNode])
        case null
        /// An `encode(to:)` that opened no container: an empty object, as JSONEncoder writes.
        case unwritten
        /// Keyed and unkeyed (or single-value) writes to one value: an error, as in JSONEncoder.
        case conflict
    }
    var value: Value = .unwritten

    func write(into out: inout [UInt8]) throws {
        switch value {
        case .conflict: throw CompactCoding.ConflictingContainers()
        case .null: out.append(CompactTag.null.rawValue)
        case .unwritten: Self.container(.object, count: 0, body: [], into: &out)
        case .leaf(let bytes): out += bytes
        case .object(let entries):
            var body: [UInt8] = []
            for (key, node) in entries {
                CompactWrite.string(key, into: &body)
                try node.write(into: &body)
            }
            Self.container(.object, count: entries.count, body: body, into: &out)
        case .array(let nodes):
            var body: [UInt8] = []
            for node in nodes { try node.write(into: &body) }
            Self.container(.array, count: nodes.count, body: body, into: &out)
        }
    }

    static func container(_ tag: CompactTag, count: Int, body: [UInt8], into out: inout [UInt8]) {
        var counted: [UInt8] = []
        CompactWrite.unsigned(UInt64(count), into: &counted)
        out.append(tag.rawValue)
        CompactWrite.unsigned(UInt64(counted.count + body.count), into: &out)
        out += counted
        out += body
    }
}

enum CompactWrite {
    static func unsigned(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func signed(_ value: Int64, into out: inout [UInt8]) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)), into: &out)
    }

    /// Length and UTF-8, without a tag (keys, and the fields of the flat leaves).
    static func string(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count), into: &out)
            out += utf8
        }
    }

    /// The flat leaves, or nil for a value written through its own `encode(to:)`. Types are
    /// compared by identity: a failed cast to an existential is a protocol-conformance search.
    static func leaf<T>(_ value: T) -> [UInt8]? {
        var out: [UInt8] = []
        if T.self == SourceMark.self {
            let mark = unsafeBitCast(value, to: SourceMark.self)
            out.append(CompactTag.mark.rawValue)
            string(mark.file, into: &out)
            signed(Int64(mark.line), into: &out)
            signed(Int64(mark.column), into: &out)
        } else if T.self == SysctlKey.self {
            let key = unsafeBitCast(value, to: SysctlKey.self)
            out.append(CompactTag.sysctl.rawValue)
            out.append(key.family == .ipv4 ? 4 : 6)
            string(key.link, into: &out)
            string(key.name, into: &out)
        } else if T.self == IPPrefix.self {
            let prefix = unsafeBitCast(value, to: IPPrefix.self)
            out.append(CompactTag.prefix.rawValue)
            out.append(UInt8(prefix.bytes.count))
            out += prefix.bytes
            unsigned(UInt64(prefix.prefixLength), into: &out)
        } else {
            return nil
        }
        return out
    }
}

final class CompactEncoder: Encoder {
    let root: CompactNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: CompactNode = CompactNode(), codingPath: [any CodingKey] = []) {
        root = node
        self.codingPath = codingPath
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        if let bytes = Self.primitive(value) { root.value = .leaf(bytes) } else { try value.encode(to: self) }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch root.value {
        case .object: break
        case .unwritten: root.value = .object([])
        default: root.value = .conflict
        }
        return KeyedEncodingContainer(KeyedContainer(node: root, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch root.value {
        case .array: break
        case .unwritten: root.value = .array([])
        default: root.value = .conflict
        }
        return UnkeyedContainer(node: root, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(node: root, codingPath: codingPath) }

    static func primitive<T: Encodable>(_ value: T) -> [UInt8]? {
        func integer<I: FixedWidthInteger>(_ type: I.Type) -> [UInt8] {
            let v = unsafeBitCast(value, to: I.self)
            var out: [UInt8] = []
            if I.isSigned {
                out.append(CompactTag.int.rawValue)
                CompactWrite.signed(Int64(v), into: &out)
            } else {
                out.append(CompactTag.uint.rawValue)
                CompactWrite.unsigned(UInt64(v), into: &out)
            }
            return out
        }
        if T.self == String.self {
            var out: [UInt8] = [CompactTag.string.rawValue]
            CompactWrite.string(unsafeBitCast(value, to: String.self), into: &out)
            return out
        }
        if T.self == Bool.self { return [unsafeBitCast(value, to: Bool.self) ? CompactTag.yes.rawValue : CompactTag.no.rawValue] }
        if T.self == Int.self { return integer(Int.self) }
        if T.self == UInt32.self { return integer(UInt32.self) }
        if let leaf = CompactWrite.leaf(value) { return leaf }
        if T.self == Int8.self { return integer(Int8.self) }
        if T.self == Int16.self { return integer(Int16.self) }
        if T.self == Int32.self { return integer(Int32.self) }
        if T.self == Int64.self { return integer(Int64.self) }
        if T.self == UInt.self { return integer(UInt.self) }
        if T.self == UInt8.self { return integer(UInt8.self) }
        if T.self == UInt16.self { return integer(UInt16.self) }
        if T.self == UInt64.self { return integer(UInt64.self) }
        if T.self == Double.self || T.self == Float.self {
            let double = T.self == Double.self ? unsafeBitCast(value, to: Double.self) : Double(unsafeBitCast(value, to: Float.self))
            var out: [UInt8] = [CompactTag.double.rawValue]
            withUnsafeBytes(of: double.bitPattern.littleEndian) { out += $0 }
            return out
        }
        return nil
    }

    static func node<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> CompactNode {
        let node = CompactNode()
        if let bytes = primitive(value) { node.value = .leaf(bytes) } else { try value.encode(to: CompactEncoder(node: node, codingPath: codingPath)) }
        return node
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: CompactNode
        let codingPath: [any CodingKey]

        func append(_ key: Key, _ child: CompactNode) { append(key.stringValue, child) }
        func append(_ key: String, _ child: CompactNode) {
            guard case .object(var entries) = node.value else { return }
            node.value = .unwritten
            entries.append((key, child))
            node.value = .object(entries)
        }

        mutating func encodeNil(forKey key: Key) throws {
            let null = CompactNode()
            null.value = .null
            append(key, null)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            append(key, try CompactEncoder.node(value, codingPath: codingPath + [key]))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = CompactNode()
            append(key, child)
            return CompactEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = CompactNode()
            append(key, child)
            return CompactEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            // Under "super", as JSONEncoder does, whatever the Key type can spell.
            let child = CompactNode()
            append("super", child)
            return CompactEncoder(node: child, codingPath: codingPath)
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = CompactNode()
            append(key, child)
            return CompactEncoder(node: child, codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: CompactNode
        let codingPath: [any CodingKey]
        var count: Int {
            if case .array(let nodes) = node.value { return nodes.count }
            return 0
        }

        func append(_ child: CompactNode) {
            guard case .array(var nodes) = node.value else { return }
            node.value = .unwritten
            nodes.append(child)
            node.value = .array(nodes)
        }

        mutating func encodeNil() throws {
            let null = CompactNode()
            null.value = .null
            append(null)
        }
        mutating func encode<T: Encodable>(_ value: T) throws { append(try CompactEncoder.node(value, codingPath: codingPath)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = CompactNode()
            append(child)
            return CompactEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = CompactNode()
            append(child)
            return CompactEncoder(node: child, codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            let child = CompactNode()
            append(child)
            return CompactEncoder(node: child, codingPath: codingPath)
        }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let node: CompactNode
        let codingPath: [any CodingKey]
        mutating func encodeNil() throws { set(.null) }
        /// A second container kind on the same value is a conflict, as for keyed and unkeyed.
        func set(_ value: CompactNode.Value) {
            switch node.value {
            case .unwritten, .null, .leaf: node.value = value
            default: node.value = .conflict
            }
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            if let bytes = CompactEncoder.primitive(value) { set(.leaf(bytes)) } else {
                try value.encode(to: CompactEncoder(node: node, codingPath: codingPath))
            }
        }
    }
}
