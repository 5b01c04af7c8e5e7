/// Reads netlink attributes (TLVs: u16 length, u16 type, payload, 4-byte aligned) from a buffer.
/// Parsing stays in Swift so that no C callback needs a context pointer.
struct Attributes: Sequence {
    let buffer: UnsafeRawBufferPointer

    struct Attribute {
        let type: UInt16
        let payload: UnsafeRawBufferPointer

        var u8: UInt8? { payload.count >= 1 ? payload.load(as: UInt8.self) : nil }
        var u16: UInt16? { payload.count >= 2 ? payload.loadUnaligned(as: UInt16.self) : nil }
        var u32: UInt32? { payload.count >= 4 ? payload.loadUnaligned(as: UInt32.self) : nil }
        var string: String {
            let bytes = payload.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        var nested: Attributes { Attributes(buffer: payload) }
    }

    /// A concrete iterator, not AnyIterator: no closure box per walk (every link message walks
    /// several nests).
    struct Iterator: IteratorProtocol {
        let buffer: UnsafeRawBufferPointer
        var offset = 0

        mutating func next() -> Attribute? {
            guard offset + 4 <= buffer.count else { return nil }
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = buffer.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3FFF
            guard length >= 4, offset + length <= buffer.count else { return nil }
            let payload = UnsafeRawBufferPointer(rebasing: buffer[(offset + 4)..<(offset + length)])
            offset += (length + 3) & ~3
            return Attribute(type: type, payload: payload)
        }
    }

    func makeIterator() -> Iterator { Iterator(buffer: buffer) }

    func first(_ type: Int) -> Attribute? { first { $0.type == UInt16(type) } }
}
