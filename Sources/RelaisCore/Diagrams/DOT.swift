/// Graphviz's DOT language: quoting and the colour scales the map and mined graphs share.
public enum DOT {
    /// A double-quoted DOT string; `\n` in `text` becomes a line break in the label.
    public static func quote(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": continue
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }

    public static func blue(_ level: Double) -> String { mix(from: (227, 242, 253), to: (13, 71, 161), level) }
    public static func orange(_ level: Double) -> String { mix(from: (255, 243, 224), to: (191, 54, 12), level) }

    private static func mix(from: (Int, Int, Int), to: (Int, Int, Int), _ level: Double) -> String {
        let t = min(max(level, 0), 1)
        func channel(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        let (r, g, b) = (channel(from.0, to.0), channel(from.1, to.1), channel(from.2, to.2))
        return "#" + [r, g, b].map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
