import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a `.safetensors` file: an 8-byte little-endian header length,
/// a JSON header `{name: {dtype, shape, data_offsets}}`, then the raw tensor bytes.
/// F32 tensors are used in place; F16 and BF16 are converted to F32 on load.
final class SafeTensorsFile: @unchecked Sendable {
    struct TensorInfo {
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    let url: URL
    let tensors: [String: TensorInfo]
    let fileSize: Int
    private let base: UnsafeRawPointer
    private let dataStart: Int
    /// Buffers made by conversion (F16, misaligned F32), freed with the file.
    private var ownedBuffers: [UnsafeMutablePointer<Float>] = []

    init(url: URL) throws {
        self.url = url
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MiniLMError.missing(url.deletingLastPathComponent(), detail: "cannot open model.safetensors")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw MiniLMError.invalid(url, "cannot stat") }
        let size = Int(status.st_size)
        guard size >= 8 else { throw MiniLMError.invalid(url, "file too small (\(size) bytes)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw MiniLMError.invalid(url, "mmap failed")
        }
        self.base = UnsafeRawPointer(mapped)
        self.fileSize = size
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        guard headerLength > 0, 8 + headerLength <= size else {
            munmap(mapped, size)
            throw MiniLMError.invalid(url, "bad header length \(headerLength)")
        }
        self.dataStart = 8 + headerLength
        do {
            self.tensors = try Self.parseHeader(Data(bytes: base + 8, count: headerLength),
                                                dataSize: size - dataStart, url: url)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    deinit {
        for buffer in ownedBuffers { buffer.deallocate() }
        munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
    }

    private static func parseHeader(_ data: Data, dataSize: Int, url: URL) throws -> [String: TensorInfo] {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MiniLMError.invalid(url, "header is not a JSON object")
        }
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in json where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize
            else { throw MiniLMError.invalid(url, "bad header entry for \(name)") }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
        }
        return tensors
    }

    /// The tensor's values as F32 (pointer valid for the file's lifetime), checked against `shape`.
    func floats(_ name: String, shape expected: [Int]) throws -> UnsafePointer<Float> {
        guard let info = tensors[name] else { throw MiniLMError.invalid(url, "tensor \(name) missing") }
        guard info.shape == expected else {
            throw MiniLMError.invalid(url, "tensor \(name) has shape \(info.shape), expected \(expected)")
        }
        let count = expected.reduce(1, *)
        let start = base + dataStart + info.begin
        let bytes = info.end - info.begin
        switch info.dtype {
        case "F32":
            guard bytes == count * 4 else { throw MiniLMError.invalid(url, "tensor \(name) size mismatch") }
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                return start.assumingMemoryBound(to: Float.self)
            }
            return own(count) { out in
                for i in 0..<count { out[i] = Float(bitPattern: start.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            }
        case "F16":
            guard bytes == count * 2 else { throw MiniLMError.invalid(url, "tensor \(name) size mismatch") }
            return own(count) { out in
                for i in 0..<count {
                    let bits = UInt16(littleEndian: start.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Self.halfToFloat(bits)
                }
            }
        case "BF16":
            guard bytes == count * 2 else { throw MiniLMError.invalid(url, "tensor \(name) size mismatch") }
            return own(count) { out in
                for i in 0..<count {
                    let bits = UInt16(littleEndian: start.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
        default:
            throw MiniLMError.invalid(url, "tensor \(name) has unsupported dtype \(info.dtype)")
        }
    }

    private func own(_ count: Int, fill: (UnsafeMutablePointer<Float>) -> Void) -> UnsafePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        fill(buffer)
        ownedBuffers.append(buffer)
        return UnsafePointer(buffer)
    }

    /// IEEE 754 binary16 to binary32, subnormals and infinities included.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// FNV-1a 64 of the header and the first MiB of tensor data: cheap, stable fingerprint.
    func fingerprint() -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let length = min(fileSize, dataStart + (1 << 20))
        for i in 0..<length {
            hash = (hash ^ UInt64(base.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01b3
        }
        return hash
    }
}
