import Foundation
import XCTest
@testable import EntropyGuard

/// Cross-checks the hand-written scanner against Foundation's JSONSerialization on many small
/// mutations of valid records: both must agree on whether a record is a valid JSON object, and on
/// the decoded value of every top-level string field.
final class IngestJSONDifferentialTests: XCTestCase {
    func testAgreesWithFoundationOnMutatedRecords() throws {
        let seeds = [
            #"{"id":12,"text":"héllo \"w\" \\ \/ \n\t","n":null,"ok":true,"f":false,"x":-0.5e-3,"o":{"a":[1,2,{"b":"c"}]},"e":[]}"#,
            #"{ "a" : [ 1 , 2.0 , "3" ] , "b" : { } , "c" : "中文🎉" }"#,
            #"{"k":0,"l":-1,"m":1E+2,"s":""}"#,
        ].map(ingestBytes)
        // Mutations use structural characters and digits; records with `\u` (Foundation rejects lone
        // surrogates, this scanner makes them U+FFFD) or trailing commas are left out.
        let alphabet = ingestBytes(#"{}[],:"\ 0123456789-+.eEtrufalsn"#) + [0x09, 0x0A, 0xC3, 0xA9]
        var random = IngestRandom(seed: 2024)
        var checked = 0, valid = 0
        for _ in 0..<10000 {
            var record = seeds[random.below(seeds.count)]
            for _ in 0..<(1 + random.below(3)) {
                let at = random.below(record.count)
                switch random.below(3) {
                case 0: record[at] = alphabet[random.below(alphabet.count)]
                case 1: record.insert(alphabet[random.below(alphabet.count)], at: at)
                default: if record.count > 2 { record.remove(at: at) }
                }
            }
            let text = String(decoding: record, as: UTF8.self)
            if text.contains("\\u") { continue }
            // Foundation accepts trailing commas; strict JSON (and this scanner) does not.
            if text.range(of: #",[ \t\n]*[}\]]"#, options: .regularExpression) != nil { continue }
            let foundation = (try? JSONSerialization.jsonObject(with: Data(record))) as? [String: Any]
            let ours = try? JSONScan.fields(record)
            checked += 1
            XCTAssertEqual(ours != nil, foundation != nil,
                           "disagree on \(text): ours \(ours != nil)")
            guard let ours, let foundation else { continue }
            valid += 1
            for field in ours where field.kind == .string {
                // Duplicate keys: Foundation keeps one of them; only compare unique keys.
                guard ours.filter({ $0.key == field.key }).count == 1 else { continue }
                XCTAssertEqual(try JSONScan.value(of: field, in: record), .string(foundation[field.key] as? String ?? "<none>"))
            }
        }
        XCTAssertGreaterThan(checked, 7000)
        XCTAssertGreaterThan(valid, 100)
    }
}
