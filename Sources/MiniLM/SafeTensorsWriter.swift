import Foundation

/// Writes a `.safetensors` file holding F32 tensors: 8-byte little-endian header length, the JSON
/// header (sorted keys, padded with spaces to a multiple of 8 so the data is aligned), the data.
enum SafeTensorsWriter {
    static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], to url: URL) throws {
        var entries: [String: Any] = ["__metadata__": ["format": "np"]]
        var offset = 0
        for tensor in tensors {
            precondition(tensor.shape.reduce(1, *) == tensor.values.count)
            entries[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.values.count]]
            offset += 4 * tensor.values.count
        }
        var header = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])
        while header.count % 8 != 0 { header.append(0x20) }
        var file = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        for tensor in tensors {
            #if _endian(big)
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
            #else
            tensor.values.withUnsafeBytes { file.append(contentsOf: $0) }
            #endif
        }
        try file.write(to: url)
    }
}
