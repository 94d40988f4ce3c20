import Foundation
import Subprocess
import SystemPackage

/// Lays out DOT with Graphviz's `dot`, run as a subprocess. Graphviz is optional: without it,
/// callers keep the DOT text and say how to get pictures.
public enum Graphviz {
    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case failed(status: String, message: String)
        case timedOut(seconds: Int)

        public var description: String {
            switch self {
            case .notInstalled:
                return "Graphviz's 'dot' is not installed (Debian: apt-get install graphviz)"
            case .failed(let status, let message):
                return "dot failed (\(status)): \(message)"
            case .timedOut(let seconds):
                return "dot took longer than \(seconds) s and was stopped"
            }
        }
    }

    /// Most bytes of drawing and of complaint read back: a process map's SVG is a few hundred
    /// kilobytes; more means something is wrong.
    static let maxDrawing = 64 << 20
    static let maxComplaint = 64 << 10

    /// The `dot` program on the PATH, if any.
    public static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The SVG drawing of `dot`. Its input is written while its output and its complaints are
    /// read, all at once (swift-subprocess), so no pipe fills while another waits; past
    /// `seconds` the process is killed.
    public static func svg(_ dot: String, seconds: Int = 60) async throws -> String {
        guard let executable else { throw Failure.notInstalled }
        let result = try await withThrowingTaskGroup(of: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>?.self) { group in
            group.addTask {
                try await run(
                    .path(FilePath(executable.path)), arguments: ["-Tsvg"], input: .string(dot),
                    output: .string(limit: maxDrawing), error: .string(limit: maxComplaint))
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            // The first to finish wins; cancelling the other kills `dot` if it is still running.
            defer { group.cancelAll() }
            guard let first = try await group.next(), let finished = first else { throw Failure.timedOut(seconds: seconds) }
            return finished
        }
        guard case .exited(0) = result.terminationStatus else {
            throw Failure.failed(status: "\(result.terminationStatus)", message: result.standardError ?? "")
        }
        return result.standardOutput ?? ""
    }
}
