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
        let writer = CompactByteWriter()
        try writer.write(value, level: 0)
        if writer.conflict { throw ConflictingContainers() }
        return writer.bytes
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

/// Writes values straight into one buffer, as `StreamingJSONEncoder` does for JSON: building a
/// tree of nodes first (one object and one byte array per value, each container's bytes copied
/// into its parent's) was most of the 10–15 ms the resolved-state entry of a 1,000-VXLAN host
/// took to encode. A container's tag is written when it opens; its length and count are put in
/// after the tag when it closes, which is when its parent writes its next member or when the
/// value that opened it is done (containers nest properly, as synthesized and hand-written
/// `encode(to:)` do). Coding paths are not tracked: nothing here throws an error that names one.
final class CompactByteWriter {
    // Unchecked: dynamic exclusivity checks on every append cost more than the appends.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    /// Open containers, outermost first: the position of each one's tag, whether it is an
    /// object, its members so far, and where its last member's value begins.
    @exclusivity(unchecked) private var open: [(tag: Int, object: Bool, count: Int, member: Int)] = []
    /// A value was written through two kinds of container (or twice through a single-value one).
    var conflict = false

    init() { bytes.reserveCapacity(1 << 16) }

    var level: Int { open.count }

    /// Writes one whole value as the next value at `level` (the number of containers around
    /// it); whatever containers it opened are closed when it returns.
    func write<T: Encodable>(_ value: T, level: Int) throws {
        if Self.primitive(value, into: &bytes) { return }
        let start = bytes.count
        try value.encode(to: CompactStreamEncoder(writer: self, level: level, start: start))
        close(to: level)
        if bytes.count == start { emptyObject() }  // an encode(to:) that opened no container, as JSONEncoder writes
    }

    func emptyObject() { bytes += [CompactTag.object.rawValue, 1, 0] }

    /// Closes the containers at `level` and deeper, innermost first.
    func close(to level: Int) {
        while open.count > level {
            finishMember()
            let container = open.removeLast()
            var header: [UInt8] = []
            CompactWrite.unsigned(UInt64(container.count), into: &header)
            var length: [UInt8] = []
            CompactWrite.unsigned(UInt64(header.count + bytes.count - container.tag - 1), into: &length)
            bytes.insert(contentsOf: length + header, at: container.tag + 1)
        }
    }

    /// A member whose value wrote nothing (an unused super or nested encoder) is an empty object.
    private func finishMember() {
        guard let last = open.last, last.count > 0, bytes.count == last.member else { return }
        emptyObject()
    }

    /// The container for the value at `level` that began at `start`: opened now, or the one it
    /// opened already (keyed twice is one object, as in JSONEncoder; two kinds is a conflict).
    func container(object: Bool, level: Int, start: Int) {
        if open.count > level {
            close(to: level + 1)
            if open[level].object != object { conflict = true }
            return
        }
        if bytes.count != start { conflict = true }  // a single value was written already
        open.append((bytes.count, object, 0, 0))
        bytes.append(object ? CompactTag.object.rawValue : CompactTag.array.rawValue)
    }

    /// Starts the next member of the container at `level - 1` (its key, for an object).
    func member(key: String?, level: Int) {
        close(to: level)
        finishMember()
        open[level - 1].count += 1
        if let key { CompactWrite.string(key, into: &bytes) }
        open[level - 1].member = bytes.count
    }

    /// A single value at `level`, which began at `start`: a second one, or one after a
    /// container, is a conflict.
    func single(level: Int, start: Int) -> Bool {
        guard open.count == level, bytes.count == start else { conflict = true; return false }
        return true
    }

    static func primitive<T: Encodable>(_ value: T, into out: inout [UInt8]) -> Bool {
        func integer<I: FixedWidthInteger>(_ type: I.Type) -> Bool {
            let v = unsafeBitCast(value, to: I.self)
            if I.isSigned {
                out.append(CompactTag.int.rawValue)
                CompactWrite.signed(Int64(v), into: &out)
            } else {
                out.append(CompactTag.uint.rawValue)
                CompactWrite.unsigned(UInt64(v), into: &out)
            }
            return true
        }
        if T.self == String.self {
            out.append(CompactTag.string.rawValue)
            CompactWrite.string(unsafeBitCast(value, to: String.self), into: &out)
            return true
        }
        if T.self == Bool.self {
            out.append(unsafeBitCast(value, to: Bool.self) ? CompactTag.yes.rawValue : CompactTag.no.rawValue)
            return true
        }
        if T.self == Int.self { return integer(Int.self) }
        if T.self == UInt32.self { return integer(UInt32.self) }
        if CompactWrite.leaf(value, into: &out) { return true }
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
            out.append(CompactTag.double.rawValue)
            withUnsafeBytes(of: double.bitPattern.littleEndian) { out += $0 }
            return true
        }
        return false
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

    /// Writes a flat leaf; false for a value written through its own `encode(to:)`. Types are
    /// compared by identity: a failed cast to an existential is a protocol-conformance search.
    static func leaf<T>(_ value: T, into out: inout [UInt8]) -> Bool {
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
            return false
        }
        return true
    }
}

/// The encoder of one value: at `level` (containers around it), begun at byte `start`.
struct CompactStreamEncoder: Encoder {
    let writer: CompactByteWriter
    let level: Int
    let start: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        writer.container(object: true, level: level, start: start)
        return KeyedEncodingContainer(KeyedContainer<Key>(writer: writer, level: level + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.container(object: false, level: level, start: start)
        return UnkeyedContainer(writer: writer, level: level + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(writer: writer, level: level, start: start) }

    /// Members are values at `level`.
    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: CompactByteWriter
        let level: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {
            writer.member(key: key.stringValue, level: level)
            writer.bytes.append(CompactTag.null.rawValue)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            writer.member(key: key.stringValue, level: level)
            try writer.write(value, level: level)
        }
        /// The encoder of a new member's value (the parent's next member, or its end, closes it).
        private func memberEncoder(_ key: String) -> CompactStreamEncoder {
            writer.member(key: key, level: level)
            return CompactStreamEncoder(writer: writer, level: level, start: writer.bytes.count)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            memberEncoder(key.stringValue).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            memberEncoder(key.stringValue).unkeyedContainer()
        }
        // Under "super", as JSONEncoder does, whatever the Key type can spell.
        mutating func superEncoder() -> any Encoder { memberEncoder("super") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { memberEncoder(key.stringValue) }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let writer: CompactByteWriter
        let level: Int
        private(set) var count = 0
        var codingPath: [any CodingKey] { [] }

        init(writer: CompactByteWriter, level: Int) {
            self.writer = writer
            self.level = level
        }

        private mutating func next() -> CompactStreamEncoder {
            writer.member(key: nil, level: level)
            count += 1
            return CompactStreamEncoder(writer: writer, level: level, start: writer.bytes.count)
        }
        mutating func encodeNil() throws {
            _ = next()
            writer.bytes.append(CompactTag.null.rawValue)
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            _ = next()
            try writer.write(value, level: level)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            next().container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { next() }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let writer: CompactByteWriter
        let level: Int
        let start: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws {
            if writer.single(level: level, start: start) { writer.bytes.append(CompactTag.null.rawValue) }
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            if writer.single(level: level, start: start) { try writer.write(value, level: level) }
        }
    }
}
