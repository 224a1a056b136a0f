import CSQLite

/// SQL functions the store's own statements use, so derived columns can be recomputed inside SQLite
/// (rewinding past sanitize recomputes dedup keys and lengths from the original text):
///   eg_dedup_key(text)   -> the exact-dedup key (TextNormalizer, XXH3-64) or NULL
///   eg_text_length(text) -> code points of the trimmed text or NULL
///   eg_has_html_tag(text) -> 1 when sanitize would strip HTML from the text (containsHTMLTag), else 0
enum SQLFunctions {
    static func register(on database: Database) throws {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        try database.check(sqlite3_create_function_v2(database.handle, "eg_dedup_key", 1, flags, nil, dedupKeyFunction, nil, nil, nil), sql: "eg_dedup_key")
        try database.check(sqlite3_create_function_v2(database.handle, "eg_text_length", 1, flags, nil, textLengthFunction, nil, nil, nil), sql: "eg_text_length")
        try database.check(sqlite3_create_function_v2(database.handle, "eg_has_html_tag", 1, flags, nil, hasHTMLTagFunction, nil, nil, nil), sql: "eg_has_html_tag")
    }
}

private func textArgument(_ argv: UnsafeMutablePointer<OpaquePointer?>?) -> String? {
    guard let value = argv?[0], sqlite3_value_type(value) != SQLITE_NULL, let pointer = sqlite3_value_text(value) else { return nil }
    let count = Int(sqlite3_value_bytes(value))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
}

private let dedupKeyFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
    guard let text = textArgument(argv) else { sqlite3_result_null(context); return }
    let normalizer = TextNormalizer()
    sqlite3_result_int64(context, normalizer.key(text))
}

private let textLengthFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
    guard let text = textArgument(argv) else { sqlite3_result_null(context); return }
    sqlite3_result_int64(context, Int64(TextNormalizer.trimmedLength(text)))
}

private let hasHTMLTagFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
    guard let text = textArgument(argv) else { sqlite3_result_int64(context, 0); return }
    sqlite3_result_int64(context, containsHTMLTag(text) ? 1 : 0)
}
