/// One thing wrong with a map, located in its file.
public struct MapProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the form editors and CI logs link to.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A map refused as a whole, with every problem found.
public struct MapValidationError: Error, Sendable, CustomStringConvertible {
    public var problems: [MapProblem]

    public init(problems: [MapProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
