import Foundation

/// Suggests the referential category of a new ticket from its subject, learnt from the subjects of
/// tickets already categorised: a multinomial naive Bayes over their folded words, with Laplace
/// smoothing, so a word never seen with a category lowers its chance without ruling it out.
public struct CategorySuggester: Sendable {
    /// Per category: how many examples, how often each word came, and all its words counted.
    struct Counts: Sendable {
        var examples = 0
        var words: [String: Int] = [:]
        var total = 0
    }

    var categories: [String: Counts] = [:]
    var vocabulary = Set<String>()
    var examples = 0

    public init(examples: [(subject: String, category: String)]) {
        for (subject, category) in examples {
            let words = SearchText.words(subject, dropCommonWords: true, limit: 32)
            guard !words.isEmpty else { continue }
            var counts = categories[category, default: Counts()]
            counts.examples += 1
            for word in words {
                counts.words[word, default: 0] += 1
                counts.total += 1
                vocabulary.insert(word)
            }
            categories[category] = counts
            self.examples += 1
        }
    }

    /// The likeliest categories for `subject`, best first, among `allowed` (all learnt ones when
    /// nil); empty when the subject shares no word with any example, since a guess from the
    /// categories' sizes alone would only echo the busiest one.
    public func suggest(for subject: String, allowed: Set<String>? = nil, limit: Int = 3) -> [String] {
        let words = SearchText.words(subject, dropCommonWords: true, limit: 32).filter(vocabulary.contains)
        guard !words.isEmpty, examples > 0 else { return [] }
        let vocabularySize = Double(vocabulary.count)
        let scored = categories.compactMap { category, counts -> (String, Double)? in
            if let allowed, !allowed.contains(category) { return nil }
            var score = log(Double(counts.examples) / Double(examples))
            for word in words {
                score += log((Double(counts.words[word] ?? 0) + 1) / (Double(counts.total) + vocabularySize))
            }
            return (category, score)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }
}
