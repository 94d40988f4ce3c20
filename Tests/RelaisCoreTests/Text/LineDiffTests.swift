import RelaisCore
import Testing

@Suite struct LineDiffTests {
    /// Applies a unified diff to `text`, checking every context and removed line against it.
    static func patch(_ text: String, with diff: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var output: [String] = [], position = 0
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2) where !line.isEmpty {
            if line.hasPrefix("@@") {
                let old = line.split(separator: " ")[1].dropFirst().split(separator: ",")
                guard let start = Int(old[0]), let count = Int(old[1]) else { return nil }
                let index = count == 0 ? start : start - 1
                guard index >= position, index <= lines.count else { return nil }
                output += lines[position..<index]
                position = index
                continue
            }
            let body = String(line.dropFirst())
            switch line.first {
            case " ", "-":
                guard position < lines.count, lines[position] == body else { return nil }
                if line.first == " " { output.append(body) }
                position += 1
            case "+": output.append(body)
            default: return nil
            }
        }
        output += lines[position...]
        return output.map { $0 + "\n" }.joined()
    }

    @Test func aDiffTurnsTheOldTextIntoTheNew() {
        var random = SystemRandomNumberGenerator()
        let words = ["families:", "  incident:", "    key: INC", "routing:", "  - name: a", "sla:", "teams:", "# comment", ""]
        for _ in 0..<300 {
            let old = (0..<Int.random(in: 0...40, using: &random)).map { _ in words.randomElement(using: &random)! }
            var new = old
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !new.isEmpty: new.remove(at: Int.random(in: 0..<new.count, using: &random))
                case 1: new.insert(words.randomElement(using: &random)! + " new", at: Int.random(in: 0...new.count, using: &random))
                default: if !new.isEmpty { new[Int.random(in: 0..<new.count, using: &random)] = "changed" }
                }
            }
            let before = old.map { $0 + "\n" }.joined(), after = new.map { $0 + "\n" }.joined()
            let diff = LineDiff.unified(before, after)
            if before == after {
                #expect(diff.isEmpty)
                continue
            }
            #expect(Self.patch(before, with: diff) == after, "\(diff)")
        }
    }

    @Test func hunksKeepThreeLinesOfContext() {
        let old = (1...20).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 10\n", with: "line ten\n")
        #expect(
            LineDiff.unified(old, new, oldName: "v1", newName: "v2") == """
                --- v1
                +++ v2
                @@ -7,7 +7,7 @@
                 line 7
                 line 8
                 line 9
                -line 10
                +line ten
                 line 11
                 line 12
                 line 13

                """)
    }
}
