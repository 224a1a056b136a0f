/// Decodes the RLE / bit-packing hybrid (Encodings.md, "RLE = 3"): the counterpart of
/// `RLEHybridEncoder`, for definition and repetition levels, dictionary indices and RLE booleans.
/// A run header is a varint: even, an RLE run of `header >> 1` copies of one value stored in
/// ceil(bitWidth / 8) bytes; odd, `header >> 1` groups of 8 bit-packed values.
struct RLEHybridDecoder {
    private let bytes: UnsafeRawBufferPointer
    private let bitWidth: Int
    private var position: Int
    // The current run.
    private var runRemaining = 0
    private var runIsPacked = false
    private var runValue: UInt64 = 0
    private var packedStart = 0
    private var packedIndex = 0

    /// `bytes` holds the runs (no length prefix); `bitWidth` is 0...32.
    init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw PageProblem.bad("RLE bit width \(bitWidth)") }
        self.bytes = bytes
        self.bitWidth = bitWidth
        position = 0
    }

    /// Appends the next `count` values to `out`, each checked to be ≤ `maxValue`.
    mutating func decode<T: FixedWidthInteger>(_ count: Int, into out: inout [T], maxValue: UInt64) throws {
        if bitWidth == 0 {
            // Every value is 0 (a column with max level 0 never gets here, but a dictionary of one does).
            out.append(contentsOf: repeatElement(0, count: count))
            return
        }
        var left = count
        let reader = BitReader(bytes: bytes)
        while left > 0 {
            if runRemaining == 0 { try nextRun() }
            let n = min(left, runRemaining)
            if runIsPacked {
                for k in 0..<n {
                    let v = reader.value(start: packedStart, index: packedIndex + k, bitWidth: bitWidth)
                    guard v <= maxValue else { throw PageProblem.bad("RLE value \(v) above \(maxValue)") }
                    out.append(T(truncatingIfNeeded: v))
                }
                packedIndex += n
            } else {
                guard runValue <= maxValue else { throw PageProblem.bad("RLE value \(runValue) above \(maxValue)") }
                out.append(contentsOf: repeatElement(T(truncatingIfNeeded: runValue), count: n))
            }
            runRemaining -= n
            left -= n
        }
    }

    private mutating func nextRun() throws {
        guard position < bytes.count else { throw PageProblem.bad("RLE data ends before its values") }
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw PageProblem.bad("bad RLE run header") }
            let b = bytes[position]
            position += 1
            header |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        let length = header >> 1
        guard length > 0, length <= UInt64(Int32.max) else { throw PageProblem.bad("RLE run of \(length)") }
        if header & 1 == 1 {
            let values = Int(length) * 8
            let byteCount = BitReader.byteCount(values: values, bitWidth: bitWidth)
            runIsPacked = true
            packedStart = position
            packedIndex = 0
            // The last group may be cut short at the end of the data; the values past it are padding.
            let available = bytes.count - position
            if byteCount <= available {
                runRemaining = values
                position += byteCount
            } else {
                runRemaining = available * 8 / bitWidth
                position = bytes.count
                guard runRemaining > 0 else { throw PageProblem.bad("bit-packed run past the end of its data") }
            }
        } else {
            let width = (bitWidth + 7) / 8
            guard width <= bytes.count - position else { throw PageProblem.bad("RLE run value past the end of its data") }
            var v: UInt64 = 0
            for k in 0..<width { v |= UInt64(bytes[position + k]) << UInt64(8 * k) }
            position += width
            runIsPacked = false
            runValue = v
            runRemaining = Int(length)
        }
    }
}
