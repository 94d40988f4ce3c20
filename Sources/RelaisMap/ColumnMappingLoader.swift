import RelaisCore
import Yams

/// Reads the mapping file of a generic import:
///
/// ```yaml
/// source: legacy-desk              # as the map's referential.mappings name it
/// columns: { id: Ticket ID, title: Subject, description: Body, created_at: Created, updated_at: Updated }
/// values: { status: Status, type: Type }   # local fields the mappings match, and their columns
///                                           # (a list when fields and columns share names)
/// ```
public enum ColumnMappingLoader {
    public static func load(yaml: String, file: String) throws -> ColumnMapping {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw MapValidationError(problems: [MapLoader.syntaxProblem(error, file: file)])
        }
        let reader = MapReader(file: file, given: [:])
        guard let root else {
            throw MapValidationError(problems: [
                MapProblem(file: file, line: 1, column: 1, message: "the mapping file is empty; it needs 'source', 'columns' and 'values'")
            ])
        }
        let fields = reader.fields(root, "mapping", allowed: ["source", "columns", "values"])
        let source = reader.requiredString(fields, "source", "mapping", at: root)
        let columns = reader.fields(fields["columns"], "columns", allowed: ["id", "title", "description", "created_at", "updated_at"])
        if fields["columns"] == nil {
            reader.problem(at: root, "mapping: missing 'columns' (id, title, created_at, and description, updated_at if the file has them)")
        }
        let id = fields["columns"] == nil ? nil : reader.requiredString(columns, "id", "columns", at: fields["columns"]!)
        let title = fields["columns"] == nil ? nil : reader.requiredString(columns, "title", "columns", at: fields["columns"]!)
        let created = fields["columns"] == nil ? nil : reader.requiredString(columns, "created_at", "columns", at: fields["columns"]!)
        var values: [String: String] = [:]
        if let node = fields["values"], case .mapping = node {
            for pair in reader.pairs(node, "values") { values[pair.key] = reader.string(pair.value, "values.\(pair.key)") }
        } else {
            for (column, _) in reader.strings(fields["values"], "values") { values[column] = column }
        }
        if values.isEmpty { reader.problem(at: fields["values"] ?? root, "values: list the columns whose local values the map's mappings translate") }
        guard reader.problems.isEmpty, let source, let id, let title, let created else { throw MapValidationError(problems: reader.problems) }
        return ColumnMapping(
            source: source, id: id, title: title, description: reader.string(columns["description"], "columns.description"),
            createdAt: created, updatedAt: reader.string(columns["updated_at"], "columns.updated_at"), values: values)
    }
}
