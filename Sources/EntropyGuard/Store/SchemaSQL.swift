/// The SQL files in `schema/` are the single source of truth for the store's layout; SwiftPM embeds them
/// into the binary (`embedInCode`), so an installed binary needs no resource folder.
enum SchemaSQL {
    static let store = String(decoding: PackageResources.store_sql, as: UTF8.self)
}
