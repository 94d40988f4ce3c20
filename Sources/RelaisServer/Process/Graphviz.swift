import Foundation

/// Lays out DOT with Graphviz's `dot`, run as a subprocess. Graphviz is optional: without it,
/// callers keep the DOT text and say how to get pictures.
public enum Graphviz {
    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case failed(status: Int32, message: String)

        public var description: String {
            switch self {
            case .notInstalled:
                return "Graphviz's 'dot' is not installed (Debian: apt-get install graphviz)"
            case .failed(let status, let message):
                return "dot failed with status \(status): \(message)"
            }
        }
    }

    /// The `dot` program on the PATH, if any.
    public static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The SVG drawing of `dot`.
    public static func svg(_ dot: String) throws -> String {
        guard let executable else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write and read at once: a large graph would fill one pipe while the other waits.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(dot.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.failed(status: process.terminationStatus, message: String(decoding: message, as: UTF8.self))
        }
        return String(decoding: svg, as: UTF8.self)
    }
}
