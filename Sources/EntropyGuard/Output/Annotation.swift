/// Why a row left the pipeline, as the store records it (`rows.dropped_by`, `drop_reason`, …, the view
/// `dropped`): one shape for the audit log, `--annotate` and `explain`, so a stage that records a new
/// reason (or a duplicate_of and a similarity) shows up in all three without changes here.
struct DropInfo: Equatable {
    /// The name of the stage that dropped the row.
    var stage: String
    var reason: String
    var details: String?
    var duplicateOf: Int64?
    var similarity: Double?

    /// The similarity with six decimals: enough to see the threshold decision, stable across CPU kinds
    /// (embeddings agree to about 1e-7, see the README's Determinism).
    var roundedSimilarity: Double? { similarity.map { ($0 * 1_000_000).rounded() / 1_000_000 } }

    /// duplicate_of as shown: the row id, or `ref:<row>` for a reference row (`ReferenceRow`).
    var duplicateOfLabel: String? { duplicateOf.map(ReferenceRow.label) }

    /// duplicate_of in JSON: a number for the input's rows, the string `"ref:<row>"` for a reference's.
    static func duplicateOfJSON(_ id: Int64) -> String {
        ReferenceRow.referenceRow(of: id) == nil ? String(id) : "\"\(ReferenceRow.label(id))\""
    }

    /// `"stage": …, "reason": …, "details": …, "duplicate_of": …, "similarity": …` (no braces): the audit
    /// log's members, in its order.
    func appendJSONMembers(to out: inout [UInt8]) {
        out += Array("\"stage\": ".utf8)
        JSONScan.encodeString(stage, into: &out)
        out += Array(", \"reason\": ".utf8)
        JSONScan.encodeString(reason, into: &out)
        out += Array(", \"details\": ".utf8)
        if let details { JSONScan.encodeString(details, into: &out) } else { out += Array("null".utf8) }
        out += Array(", \"duplicate_of\": \(duplicateOf.map(Self.duplicateOfJSON) ?? "null")".utf8)
        out += Array(", \"similarity\": \(similarity.map(format6) ?? "null")".utf8)
    }
}

/// `--annotate`: the field each record gains, `{"kept": true|false, "stage", "reason", "details",
/// "duplicate_of", "similarity"}` (null for a kept row), or in CSV and Parquet the same values as
/// flattened columns `<field>.kept`, `<field>.stage`, …
enum Annotation {
    /// The members after `kept`, in order (the audit log's).
    static let memberNames = ["stage", "reason", "details", "duplicate_of", "similarity"]

    /// The flattened columns' names: `<field>.kept`, then `<field>.<member>`.
    static func columnNames(field: String) -> [String] {
        (["kept"] + memberNames).map { "\(field).\($0)" }
    }

    /// The field's JSON value for a row dropped as `drop` (nil: kept).
    static func json(_ drop: DropInfo?) -> [UInt8] {
        guard let drop else {
            return Array(("{\"kept\": true, " + memberNames.map { "\"\($0)\": null" }.joined(separator: ", ") + "}").utf8)
        }
        var out = Array("{\"kept\": false, ".utf8)
        drop.appendJSONMembers(to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The flattened columns' CSV values (nil: empty), in `columnNames` order.
    static func csvValues(_ drop: DropInfo?) -> [String?] {
        guard let drop else { return ["true", nil, nil, nil, nil, nil] }
        return ["false", drop.stage, drop.reason, drop.details, drop.duplicateOfLabel, drop.similarity.map(format6)]
    }
}
