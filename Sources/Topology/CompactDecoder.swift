import HostState

/// Reads `CompactCoding`'s bytes. Every read is bounds-checked: a cut or corrupt entry is a
/// `DecodingError`, never a crash (the cache then parses the file instead).
struct CompactReader {
    let bytes: UnsafeBufferPointer<UInt8>
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func corrupt(_ offset: Int, _ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "compact bytes at \(offset): \(what)"))
    }

    func byte(_ cursor: inout Int) throws -> UInt8 {
        guard cursor < bytes.count else { throw corrupt(cursor, "cut short") }
        defer { cursor += 1 }
        return bytes[cursor]
    }

    func unsigned(_ cursor: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte(&cursor)
            guard shift < 64, shift < 63 || b <= 1 else { throw corrupt(cursor, "number too long") }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    func signed(_ cursor: inout Int) throws -> Int64 {
        let z = try unsigned(&cursor)
        return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    }

    /// A length that fits in what is left.
    func length(_ cursor: inout Int) throws -> Int {
        let n = try unsigned(&cursor)
        guard n <= UInt64(bytes.count - cursor) else { throw corrupt(cursor, "length \(n) past the end") }
        return Int(n)
    }

    func string(_ cursor: inout Int) throws -> String {
        let n = try length(&cursor)
        defer { cursor += n }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[cursor..<cursor + n]), as: UTF8.self)
    }

    /// Whether the key written at `offset` (length-prefixed, checked when its object was read) is `key`.
    func keyEquals(_ key: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        var cursor = offset
        guard let n = try? length(&cursor), n == key.count else { return false }
        for i in 0..<n where bytes[cursor + i] != key[i] { return false }
        return true
    }

    func tag(at cursor: Int) throws -> CompactTag {
        var c = cursor
        let raw = try byte(&c)
        guard let tag = CompactTag(rawValue: raw) else { throw corrupt(cursor, "unknown tag \(raw)") }
        return tag
    }

    /// Moves past one value of any kind (a container in one jump).
    func skip(_ cursor: inout Int) throws {
        let start = cursor
        switch try tag(at: cursor) {
        case .null, .no, .yes: cursor += 1
        case .uint, .int:
            cursor += 1
            _ = try unsigned(&cursor)
        case .double:
            cursor += 1
            guard bytes.count - cursor >= 8 else { throw corrupt(start, "cut short") }
            cursor += 8
        case .string, .object, .array:
            cursor += 1
            cursor += try length(&cursor)
        case .mark:
            cursor += 1
            cursor += try length(&cursor)
            _ = try unsigned(&cursor)
            _ = try unsigned(&cursor)
        case .sysctl:
            cursor += 2
            cursor += try length(&cursor)
            cursor += try length(&cursor)
        case .prefix:
            cursor += 1
            cursor += Int(try byte(&cursor))
            guard cursor <= bytes.count else { throw corrupt(start, "cut short") }
            _ = try unsigned(&cursor)
        }
    }

    /// The body of an object or array at `cursor`: where its entries start, how many, where it ends.
    func container(_ expected: CompactTag, _ cursor: inout Int) throws -> (count: Int, end: Int) {
        guard try tag(at: cursor) == expected else { throw corrupt(cursor, "not \(expected)") }
        cursor += 1
        let size = try length(&cursor)
        let end = cursor + size
        let count = try unsigned(&cursor)
        guard cursor <= end, count <= UInt64(end - cursor) else { throw corrupt(cursor, "count \(count) past its container") }
        return (Int(count), end)
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ cursor: inout Int) throws -> I {
        let start = cursor
        switch try tag(at: cursor) {
        case .uint:
            cursor += 1
            guard let v = I(exactly: try unsigned(&cursor)) else { throw corrupt(start, "out of range for \(I.self)") }
            return v
        case .int:
            cursor += 1
            guard let v = I(exactly: try signed(&cursor)) else { throw corrupt(start, "out of range for \(I.self)") }
            return v
        default: throw corrupt(start, "not an integer")
        }
    }

    /// A flat leaf (`CompactWrite.leaf`) of type T, or nil when T is not one.
    func leaf<T>(_ type: T.Type, _ cursor: inout Int) throws -> T? {
        if T.self == SourceMark.self {
            guard try tag(at: cursor) == .mark else { throw corrupt(cursor, "not a mark") }
            cursor += 1
            let file = try string(&cursor)
            guard let line = Int(exactly: try signed(&cursor)), let column = Int(exactly: try signed(&cursor)) else {
                throw corrupt(cursor, "bad mark")
            }
            return SourceMark(file: file, line: line, column: column) as? T
        }
        if T.self == SysctlKey.self {
            guard try tag(at: cursor) == .sysctl else { throw corrupt(cursor, "not a sysctl key") }
            cursor += 1
            let family: SysctlKey.Family
            switch try byte(&cursor) {
            case 4: family = .ipv4
            case 6: family = .ipv6
            default: throw corrupt(cursor, "bad family")
            }
            let link = try string(&cursor)
            return SysctlKey(family, link, try string(&cursor)) as? T
        }
        if T.self == IPPrefix.self {
            guard try tag(at: cursor) == .prefix else { throw corrupt(cursor, "not a prefix") }
            cursor += 1
            let count = Int(try byte(&cursor))
            guard count == 4 || count == 16, bytes.count - cursor >= count else { throw corrupt(cursor, "bad address") }
            let address = Array(bytes[cursor..<cursor + count])
            cursor += count
            let length = try unsigned(&cursor)
            guard length <= UInt64(count * 8) else { throw corrupt(cursor, "bad prefix length") }
            return IPPrefix(bytes: address, prefixLength: Int(length)) as? T
        }
        return nil
    }

    /// T's value when T is a primitive or a flat leaf; nil for any other type (decoded through
    /// its own `init(from:)`). Types are compared by identity, cheaper than casts.
    func primitive<T>(_ type: T.Type, _ cursor: inout Int) throws -> T? {
        if T.self == String.self {
            guard try tag(at: cursor) == .string else { throw corrupt(cursor, "not a string") }
            cursor += 1
            return try string(&cursor) as? T
        }
        if T.self == Int.self { return try integer(Int.self, &cursor) as? T }
        if T.self == UInt32.self { return try integer(UInt32.self, &cursor) as? T }
        if T.self == Bool.self {
            switch try tag(at: cursor) {
            case .yes: cursor += 1; return true as? T
            case .no: cursor += 1; return false as? T
            default: throw corrupt(cursor, "not a Bool")
            }
        }
        if let value = try leaf(type, &cursor) { return value }
        switch type {
        case is Int8.Type: return try integer(Int8.self, &cursor) as? T
        case is Int16.Type: return try integer(Int16.self, &cursor) as? T
        case is Int32.Type: return try integer(Int32.self, &cursor) as? T
        case is Int64.Type: return try integer(Int64.self, &cursor) as? T
        case is UInt.Type: return try integer(UInt.self, &cursor) as? T
        case is UInt8.Type: return try integer(UInt8.self, &cursor) as? T
        case is UInt16.Type: return try integer(UInt16.self, &cursor) as? T
        case is UInt64.Type: return try integer(UInt64.self, &cursor) as? T
        case is Double.Type, is Float.Type:
            guard try tag(at: cursor) == .double else { throw corrupt(cursor, "not a number") }
            guard bytes.count - cursor >= 9 else { throw corrupt(cursor, "cut short") }
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(bytes[cursor + 1 + i]) << (8 * UInt64(i)) }
            cursor += 9
            let value = Double(bitPattern: bits)
            return (type is Float.Type ? Float(value) as Any : value as Any) as? T
        default: return nil
        }
    }
}
