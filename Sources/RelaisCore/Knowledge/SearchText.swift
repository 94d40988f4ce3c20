import Foundation

/// Turns what people type into the words a full-text index is asked for: folded to lower case
/// without accents ("Accès" and "acces" are one word), split on anything that is not a letter or
/// a digit, and, for free text such as a ticket's subject, without the small words of French and
/// English that every article contains.
public enum SearchText {
    /// Lower case, accents and other marks removed, ligatures opened (œ → oe).
    public static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: "œ", with: "oe").replacingOccurrences(of: "æ", with: "ae")
            .replacingOccurrences(of: "ß", with: "ss")
            .lowercased()
    }

    /// The words of `text`, folded, in order, each once; at most `limit` of them.
    public static func words(_ text: String, dropCommonWords: Bool = false, limit: Int = 16) -> [String] {
        var seen = Set<String>()
        var words: [String] = []
        for part in fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let word = String(part)
            if dropCommonWords, word.count < 2 || commonWords.contains(word) { continue }
            guard seen.insert(word).inserted else { continue }
            words.append(word)
            if words.count == limit { break }
        }
        return words
    }

    /// Words too common in French and English to tell articles apart (folded).
    static let commonWords: Set<String> = [
        // English
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "cannot", "could", "do", "does", "for", "from",
        "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our",
        "please", "since", "so", "that", "the", "their", "there", "this", "to", "up", "was", "we", "were", "what", "when",
        "where", "which", "why", "will", "with", "you", "your", "hello", "hi", "thanks",
        // French
        "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il", "ils", "je",
        "la", "le", "les", "leur", "lui", "ma", "mais", "me", "mes", "mon", "ne", "nos", "notre", "nous", "ou", "par", "pas",
        "plus", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "tu", "un",
        "une", "vos", "votre", "vous", "y", "depuis", "bonjour", "merci", "ai", "avons", "peux", "puis", "suis", "etre",
    ]
}
