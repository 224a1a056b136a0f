import Foundation

/// Matches a JSON record's keys to columns by position. Records of one file mostly repeat their keys
/// in the same order, so a key is usually matched with one memcmp against the column the same
/// position had in the previous record, instead of being decoded and hashed.
struct KeyPositionPredictor {
    /// The column of the key at each position of the previous record (-1: none).
    private var predicted: [Int] = []

    /// The predicted column when the key at `position` is that column's name, else nil.
    func match(_ literal: Range<Int>, escaped: Bool, at position: Int, in buffer: UnsafeBufferPointer<UInt8>,
               names nameBytes: [[UInt8]]) -> Int? {
        guard !escaped, position < predicted.count, predicted[position] >= 0 else { return nil }
        let guess = predicted[position]
        let count = literal.count - 2
        let name = nameBytes[guess]
        guard name.count == count else { return nil }
        if count == 0 { return guess }
        return name.withUnsafeBytes { memcmp($0.baseAddress!, buffer.baseAddress! + literal.lowerBound + 1, count) } == 0 ? guess : nil
    }

    /// Remembers the column found for `position`, for the next record.
    mutating func remember(_ column: Int, at position: Int) {
        if position < predicted.count { predicted[position] = column } else { predicted.append(column) }
    }

    /// The key's text (the literal includes its quotes).
    static func decodeKey(_ literal: Range<Int>, escaped: Bool, in buffer: UnsafeBufferPointer<UInt8>) -> String {
        escaped ? JSONStringCodec.decodeEscaped(buffer, literal: literal) : JSONStringCodec.decodePlain(buffer, literal: literal)
    }
}
