/// Where a page may send the browser after signing in or saving a form: a path of this site only.
/// A `next=` that names another site (`//evil.example`, `https://…`, `/\evil.example`, which
/// browsers read as `//evil.example`) would turn the sign-in page into an open redirect.
public enum LocalPath {
    /// The longest path kept; a longer one is no destination.
    public static let maxLength = 2_048

    /// `text` when it is a path of this site, nil otherwise: it must start with one `/`, and hold
    /// no backslash, whitespace or control character (which browsers strip or turn into `/`).
    public static func validated(_ text: String?) -> String? {
        // Bytes, not characters: `hasPrefix` compares grapheme clusters, and `//` followed by a
        // combining mark does not start with the character `/` twice.
        guard let text, text.utf8.count <= maxLength, text.utf8.first == UInt8(ascii: "/"),
            text.utf8.dropFirst().first != UInt8(ascii: "/")
        else { return nil }
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format
            {
                return nil
            }
        }
        return text
    }
}
