/// `Decoder` over `CompactReader`. Coding paths are left empty: building one per value was a
/// tenth of the decode, and the cache only logs that an entry did not decode.
struct CompactDecoder: Decoder {
    let reader: CompactReader
    /// Where this decoder's value starts.
    let offset: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(reader: CompactReader, offset: Int) {
        self.reader = reader
        self.offset = offset
    }

    /// The value at `cursor`, which ends up past it.
    func decodeValue<T: Decodable>(_ type: T.Type, cursor: inout Int) throws -> T {
        if let value = try reader.primitive(T.self, &cursor) { return value }
        let start = cursor
        let value = try T(from: CompactDecoder(reader: reader, offset: start))
        cursor = start
        try reader.skip(&cursor)
        return value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try KeyedContainer<Key>(reader: reader, offset: offset))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try UnkeyedContainer(reader: reader, offset: offset) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let reader: CompactReader
        /// Each entry's key (its length-prefixed UTF-8) and value offsets.
        let entries: [(key: Int, value: Int)]
        var codingPath: [any CodingKey] { [] }

        init(reader: CompactReader, offset: Int) throws {
            self.reader = reader
            var cursor = offset
            let (count, end) = try reader.container(.object, &cursor)
            var entries: [(key: Int, value: Int)] = []
            // An entry takes at least two bytes: a forged count reserves no more than the bytes allow.
            entries.reserveCapacity(min(count, (end - cursor) / 2))
            for _ in 0..<count {
                let key = cursor
                cursor += try reader.length(&cursor)
                entries.append((key, cursor))
                try reader.skip(&cursor)
                guard cursor <= end else { throw reader.corrupt(cursor, "entry past its object") }
            }
            guard cursor == end else { throw reader.corrupt(cursor, "object's length does not match its entries") }
            self.entries = entries
        }

        var allKeys: [Key] {
            entries.compactMap { entry in
                var cursor = entry.key
                return (try? reader.string(&cursor)).flatMap { Key(stringValue: $0) }
            }
        }

        /// The value's offset, nil when the object has no such key.
        func lookUp(_ key: Key) -> Int? {
            var name = key.stringValue
            // The last of duplicate keys wins, as in JSONDecoder.
            return name.withUTF8 { utf8 in entries.last { reader.keyEquals(utf8, at: $0.key) }?.value }
        }

        func find(_ key: Key) throws -> Int {
            guard let offset = lookUp(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no \(key.stringValue)"))
            }
            return offset
        }

        func contains(_ key: Key) -> Bool { lookUp(key) != nil }
        func decodeNil(forKey key: Key) throws -> Bool { try reader.tag(at: try find(key)) == .null }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            var cursor = try find(key)
            return try CompactDecoder(reader: reader, offset: cursor).decodeValue(T.self, cursor: &cursor)
        }

        /// One look-up instead of the default's three (contains, decodeNil, decode).
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard var cursor = lookUp(key), try reader.tag(at: cursor) != .null else { return nil }
            return try CompactDecoder(reader: reader, offset: cursor).decodeValue(T.self, cursor: &cursor)
        }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(type, key) }
        private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? { try decodeIfPresent(type, forKey: key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }
        private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T { try decode(type, forKey: key) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(try KeyedContainer<NestedKey>(reader: reader, offset: try find(key)))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try UnkeyedContainer(reader: reader, offset: try find(key))
        }
        func superDecoder() throws -> any Decoder {
            var name = "super"
            guard let offset = name.withUTF8({ utf8 in entries.last { reader.keyEquals(utf8, at: $0.key) }?.value }) else {
                throw reader.corrupt(0, "no super")
            }
            return CompactDecoder(reader: reader, offset: offset)
        }
        func superDecoder(forKey key: Key) throws -> any Decoder { CompactDecoder(reader: reader, offset: try find(key)) }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let reader: CompactReader
        let end: Int
        var cursor: Int
        var count: Int?
        var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var isAtEnd: Bool { currentIndex >= count! }

        init(reader: CompactReader, offset: Int) throws {
            self.reader = reader
            cursor = offset
            let (count, end) = try reader.container(.array, &cursor)
            self.count = count
            self.end = end
        }

        mutating func next() throws -> Int {
            guard !isAtEnd else { throw reader.corrupt(cursor, "past the array's end") }
            guard cursor < end else { throw reader.corrupt(cursor, "array's length does not match its values") }
            currentIndex += 1
            return cursor
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, cursor < end, try reader.tag(at: cursor) == .null else { return false }
            cursor += 1
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            var at = try next()
            let value = try CompactDecoder(reader: reader, offset: at).decodeValue(T.self, cursor: &at)
            guard at <= end else { throw reader.corrupt(at, "value past its array") }
            cursor = at
            return value
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeGeneric(type) }
        mutating func decode(_ type: String.Type) throws -> String { try decodeGeneric(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try decodeGeneric(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try decodeGeneric(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try decodeGeneric(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeGeneric(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeGeneric(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeGeneric(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeGeneric(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeGeneric(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeGeneric(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeGeneric(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeGeneric(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeGeneric(type) }
        private mutating func decodeGeneric<T: Decodable>(_ type: T.Type) throws -> T { try decode(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let at = try next()
            let container = try KeyedContainer<NestedKey>(reader: reader, offset: at)
            try skipWithin()
            return KeyedDecodingContainer(container)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let at = try next()
            let container = try UnkeyedContainer(reader: reader, offset: at)
            try skipWithin()
            return container
        }
        mutating func superDecoder() throws -> any Decoder {
            let at = try next()
            try skipWithin()
            return CompactDecoder(reader: reader, offset: at)
        }

        /// Past the current value, which must end inside the array.
        private mutating func skipWithin() throws {
            try reader.skip(&cursor)
            guard cursor <= end else { throw reader.corrupt(cursor, "value past its array") }
        }
    }

    struct SingleContainer: SingleValueDecodingContainer {
        let decoder: CompactDecoder
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { (try? decoder.reader.tag(at: decoder.offset)) == .null }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            var cursor = decoder.offset
            return try decoder.decodeValue(type, cursor: &cursor)
        }
        func decode(_ type: Bool.Type) throws -> Bool { try decodeGeneric(type) }
        func decode(_ type: String.Type) throws -> String { try decodeGeneric(type) }
        func decode(_ type: Double.Type) throws -> Double { try decodeGeneric(type) }
        func decode(_ type: Float.Type) throws -> Float { try decodeGeneric(type) }
        func decode(_ type: Int.Type) throws -> Int { try decodeGeneric(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decodeGeneric(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decodeGeneric(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decodeGeneric(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decodeGeneric(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try decodeGeneric(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeGeneric(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeGeneric(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeGeneric(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeGeneric(type) }
        private func decodeGeneric<T: Decodable>(_ type: T.Type) throws -> T { try decode(type) }
    }
}
