import Foundation

/// The texts of the pages, one JSON file per language under `Resources/web/text`. English is
/// complete; a key another language lacks falls back to it (a test keeps French complete).
struct WebText: Sendable {
    enum Language: String, Sendable, CaseIterable {
        case en, fr
    }

    let words: [Language: [String: String]]

    init(folder: URL) throws {
        var words: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let data = try Data(contentsOf: folder.appendingPathComponent("\(language.rawValue).json"))
            words[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        let english = words[.en] ?? [:]
        for language in Language.allCases where language != .en {
            words[language] = english.merging(words[language] ?? [:]) { _, translated in translated }
        }
        self.words = words
    }

    subscript(language: Language) -> [String: String] { words[language] ?? [:] }

    /// The language for a visitor: their own choice, else the first of the browser's
    /// `Accept-Language` Relais speaks (by quality), else English.
    static func language(chosen: String?, acceptLanguage: String?) -> Language {
        if let chosen, let language = Language(rawValue: chosen) { return language }
        guard let acceptLanguage else { return .en }
        let ranked = acceptLanguage.split(separator: ",").enumerated().compactMap { index, part -> (Language, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), let primary = tag.split(separator: "-").first,
                let language = Language(rawValue: String(primary))
            else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0 ? (language, quality, index) : nil
        }
        return ranked.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.first?.0 ?? .en
    }
}
