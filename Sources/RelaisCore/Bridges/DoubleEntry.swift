import Foundation

/// The same request entered in two tools: tickets of different sources, close in time, with
/// similar subjects, and not tied to two different accounts or requesters.
public enum DoubleEntry {
    public struct Entry: Sendable, Equatable {
        /// `relais` for a ticket opened here, else the tool it came from.
        public var source: String
        public var key: String
        public var title: String
        public var createdAt: Date
        public var account: String?
        public var requester: String?

        public init(source: String, key: String, title: String, createdAt: Date, account: String? = nil, requester: String? = nil) {
            self.source = source
            self.key = key
            self.title = title
            self.createdAt = createdAt
            self.account = account
            self.requester = requester
        }
    }

    public struct Pair: Sendable, Equatable {
        public var first: Entry
        public var second: Entry
        /// Shared words over all words of both subjects, 0 to 1.
        public var similarity: Double
        /// The two tools, in order of name (`jira + servicenow`).
        public var tools: String { [first.source, second.source].sorted().joined(separator: " + ") }
    }

    /// Pairs of entries of different sources created within `window` of each other whose subjects
    /// share at least `threshold` of their words; the same account or requester, when both name
    /// one, is required. Oldest first.
    public static func pairs(_ entries: [Entry], window: TimeInterval = 86_400, threshold: Double = 0.6) -> [Pair] {
        let sorted = entries.sorted { $0.createdAt < $1.createdAt }
        let words = sorted.map { significantWords($0.title) }
        var pairs: [Pair] = []
        var start = 0
        for index in sorted.indices {
            while sorted[index].createdAt.timeIntervalSince(sorted[start].createdAt) > window { start += 1 }
            for other in start..<index where sorted[other].source != sorted[index].source {
                let a = sorted[other], b = sorted[index]
                if let x = a.account, let y = b.account, x != y { continue }
                if let x = a.requester, let y = b.requester, x != y { continue }
                let union = words[other].union(words[index]).count
                guard union > 0 else { continue }
                let similarity = Double(words[other].intersection(words[index]).count) / Double(union)
                if similarity >= threshold { pairs.append(Pair(first: a, second: b, similarity: similarity)) }
            }
        }
        return pairs
    }

    /// Lowercased words without accents, of three letters or more.
    static func significantWords(_ text: String) -> Set<String> {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        return Set(folded.split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { $0.count >= 3 })
    }
}
