/// The SQL files in `schema/` are the single source of truth for the store's layout; SwiftPM embeds them
/// into the binary (`embedInCode`), so an installed binary needs no resource folder. They run in the order pragmas,
/// tables, views; then the part that follows the stage list, generated from the registry (`StageSchemaSQL`,
/// shown in schema/stages.sql).
enum SchemaSQL {
    static let version = 2
    static var pragmas: String { String(decoding: PackageResources.pragmas_sql, as: UTF8.self) }
    static var tables: String { String(decoding: PackageResources.tables_sql, as: UTF8.self) }
    static var views: String { String(decoding: PackageResources.views_sql, as: UTF8.self) }
}
