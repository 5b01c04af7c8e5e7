// Pure Swift (no C call): the fast path of `Syscall.parseAddress`, kept out of the one file that
// calls libc.
extension Syscall {
    /// The 4 bytes of a dotted quad by the rules of glibc's inet_pton4 (four decimal parts of at
    /// most 255, no leading zero, nothing else), or nil: whatever this accepts, inet_pton accepts
    /// with the same value (`ParseAddressTests` compares the two).
    /// (A buffer, not a generic collection: unspecialized across modules it cost 20 times more.)
    public static func parseIPv4(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var quad: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var octets = 0, current = 0, sawDigit = false
        for byte in text {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if sawDigit && current == 0 { return nil }
                current = current * 10 + Int(byte - UInt8(ascii: "0"))
                guard current <= 255 else { return nil }
                if !sawDigit {
                    octets += 1
                    guard octets <= 4 else { return nil }
                    sawDigit = true
                }
                switch octets {
                case 1: quad.0 = UInt8(current)
                case 2: quad.1 = UInt8(current)
                case 3: quad.2 = UInt8(current)
                default: quad.3 = UInt8(current)
                }
            } else if byte == UInt8(ascii: ".") && sawDigit {
                guard octets < 4 else { return nil }
                sawDigit = false
                current = 0
            } else {
                return nil
            }
        }
        return octets == 4 && sawDigit ? [quad.0, quad.1, quad.2, quad.3] : nil
    }
}
